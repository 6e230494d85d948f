# syntax=docker/dockerfile:1
ARG BASE=debian:12
FROM --platform=$BUILDPLATFORM golang:1.22@sha256:70e42c086bc2b9fd7b3167d64a826ec1281f53d197cd3ca0e8c4278e75b937fd AS build
RUN go build ./...

FROM ${BASE} AS runtime-base
FROM build AS test
FROM scratch
COPY --from=build /out /
FROM alpine:3.20@sha256:0000000000000000000000000000000000000000000000000000000000000000 AS tools
from \
  node:20-slim@sha256:e068e764b538ac24a32071f468e06fec3db024ac2ba8f97ce068e764b538ac24 as web
