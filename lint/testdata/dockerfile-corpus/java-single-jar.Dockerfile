FROM openjdk:8-jre-alpine
MAINTAINER dev@example.com
COPY target/app-0.0.1-SNAPSHOT.jar app.jar
ENTRYPOINT ["java","-jar","/app.jar"]
