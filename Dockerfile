# One image for the app, the simulator and the topic set-up of docker-compose.yml: the project built with
# Maven, run through the ./spine launcher (which reads each module's classpath from the build).
FROM maven:3.9-eclipse-temurin-17
WORKDIR /opt/spine
COPY . .
RUN mvn -B -q install -DskipTests && mkdir -p /var/lib/spine
ENV SPINE_JAVA_OPTS="-Xmx1g"
ENTRYPOINT ["./spine"]
