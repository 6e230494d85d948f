# syntax=docker/dockerfile:1
ARG BASE=debian:12
FROM --platform=$BUILDPLATFORM golang:1.22 AS build
RUN go build ./...

FROM ${BASE} AS runtime-base
FROM build AS test
FROM scratch
COPY --from=build /out /
FROM alpine:3.20@sha256:0000000000000000000000000000000000000000000000000000000000000000 AS tools
from \
  node:20-slim as web
