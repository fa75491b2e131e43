# syntax=docker/dockerfile:1
# One image for every run mode of queue-service; the command chooses it (default: api).
#   docker build -t queue-service .
#   docker run -p 3000:3000 --env-file .env queue-service               # the HTTP API
#   docker run --env-file .env queue-service worker email                # the email worker
# DeploymentFilesTest checks that the build and run commands below are those of scripts/start.sh.

# --- Build: the same Maven command as scripts/start.sh -------------------------------------------
FROM maven:3.9-eclipse-temurin-25 AS build
WORKDIR /src
COPY pom.xml ./
COPY queue-service-core/pom.xml queue-service-core/
COPY queue-service-server/pom.xml queue-service-server/
COPY queue-service-core/src queue-service-core/src
COPY queue-service-server/src queue-service-server/src
# The cache mount keeps Maven's downloads between builds (BuildKit, Docker's default builder).
RUN --mount=type=cache,target=/root/.m2 mvn -q -B -Dstyle.color=never -DskipTests package

# --- Run: a JRE 25, as a non-root user ----------------------------------------------------------
FROM eclipse-temurin:25-jre-noble
# A fixed numeric uid, so that Kubernetes' runAsNonRoot can check it.
RUN groupadd --system --gid 10001 queue-service \
    && useradd --system --uid 10001 --gid 10001 --home-dir /app --no-create-home queue-service
WORKDIR /app
COPY --from=build /src/queue-service-server/target/queue-service.jar /app/queue-service.jar
USER 10001:10001

# scripts/start.sh's options, except the heap: -Xmx64m there, 25% of the container's memory limit
# here (64 MiB at the 256 MiB limit of the Kubernetes resources). The JVM reads the limit from the
# cgroup; metaspace, thread stacks and the serial GC keep the rest small. Setting JAVA_OPTS replaces
# them all, as with start.sh.
ENV JAVA_OPTS="-XX:MaxRAMPercentage=25 -XX:MaxMetaspaceSize=96m -Xss512k -XX:+UseSerialGC -XX:TrimNativeHeapInterval=5000 -XX:+ExitOnOutOfMemoryError"
EXPOSE 3000

# Liveness on GET /healthz at $PORT, with bash's /dev/tcp: the image has no curl or wget to rely on.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${PORT:-3000} && printf 'GET /healthz HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]

# sh expands JAVA_OPTS (word by word, like start.sh) and then becomes java (exec), so java is PID 1
# and gets SIGTERM for a graceful shutdown. The arguments (CMD, or Kubernetes' args) are the run mode.
ENTRYPOINT ["/bin/sh", "-c", "exec java $JAVA_OPTS -jar /app/queue-service.jar \"$@\"", "queue-service"]
CMD ["api"]
