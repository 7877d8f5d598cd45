# incidentflow: one static binary with the verbs dev, worker, serve, setup,
# declare, ... and version.
#
#   docker build -t incidentflow --build-arg VERSION=$(git describe --always) .
#   docker run --rm incidentflow version
#
# docker-compose.yml builds this image for its worker, serve and setup
# services; configuration comes from INCIDENTFLOW_* variables and an optional
# file passed with --config.

FROM golang:1.26 AS build
# go.mod says go 1.26.8: build with the image's Go, never download another.
ENV GOTOOLCHAIN=local CGO_ENABLED=0
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
# timetzdata embeds the time zone database, so time_zone works on any base.
RUN go build -trimpath -tags timetzdata \
      -ldflags "-s -w -X main.version=${VERSION}" \
      -o /out/incidentflow ./cmd/incidentflow

FROM debian:bookworm-slim
# ca-certificates: Slack and GitHub are HTTPS. curl: the compose
# healthchecks of serve and the workers (GET /readyz).
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --create-home --home-dir /var/lib/incidentflow incidentflow
COPY --from=build /out/incidentflow /usr/local/bin/incidentflow
USER incidentflow
WORKDIR /var/lib/incidentflow
# The front door of serve (set INCIDENTFLOW_HTTP_LISTEN=0.0.0.0:3000).
EXPOSE 3000
ENTRYPOINT ["incidentflow"]
CMD ["--help"]
