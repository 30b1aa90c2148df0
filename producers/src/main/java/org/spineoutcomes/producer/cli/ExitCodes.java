package org.spineoutcomes.producer.cli;

/** Process exit codes of spine-producer. */
public final class ExitCodes {
    private ExitCodes() {}
    /** Everything accepted. */
    public static final int OK = 0;
    /** Ran to the end, but some records were rejected (each one reported on stderr). */
    public static final int SOME_REJECTED = 1;
    /** Bad command line or configuration (including a missing pseudonym key). */
    public static final int USAGE = 2;
    /** I/O, broker or registry failure: some valid records may not have been delivered. */
    public static final int FAILURE = 3;
}
