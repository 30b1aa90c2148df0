package org.spineoutcomes.http;

/** Answers one method + path of {@link HttpRoutes} with a complete {@link Reply}. */
@FunctionalInterface
public interface Route {
    Reply handle(Request request) throws Exception;
}
