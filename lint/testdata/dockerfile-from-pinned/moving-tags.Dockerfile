# Tags that move.
FROM mcr.microsoft.com/mssql/server:2022-latest AS db
FROM node:lts-alpine AS web
FROM python:3-slim AS tools
