# Exact tags that do not start with a semantic version.
# photoprism's development image: a date (YYMMDD) and a release name.
FROM photoprism/develop:241121-oracular AS develop
# cypress: every browser's exact version.
FROM cypress/browsers:node-24.14.0-chrome-145.0.7632.116-1-ff-148.0-edge-145.0.3800.82-1 AS e2e
# a build date
FROM ubuntu:jammy-20240212 AS base
FROM example/tool:build-20240212
FROM alpine:3.20.3
