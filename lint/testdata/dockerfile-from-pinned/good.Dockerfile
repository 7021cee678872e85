# syntax=docker/dockerfile:1
ARG PYTHON_VERSION=3.11.5
ARG BASE
FROM python:${PYTHON_VERSION}-slim-bookworm AS build
FROM build AS test
FROM ${BASE}
FROM golang@sha256:0f6c1b3b3b4b7e1f6a2c5e8d9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b AS go
FROM debian:bookworm-20240211-slim
FROM ubuntu:22.04
FROM postgres:16.4-bookworm
FROM alpine:3.19.1
FROM eclipse-temurin:21.0.2_13-jre-jammy
FROM scratch
COPY --from=build /app /app
USER 65532
