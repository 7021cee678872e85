FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /workspace
COPY pom.xml .
RUN mvn -B dependency:go-offline
COPY src src
RUN mvn -B package -DskipTests

FROM eclipse-temurin:17-jre
RUN useradd --system --uid 1001 spring
COPY --from=build /workspace/target/*.jar /app/app.jar
USER spring
ENTRYPOINT ["java", "-jar", "/app/app.jar"]
