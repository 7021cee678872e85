ARG NODE=20
FROM python:3
FROM node:lts AS web
FROM   --platform=linux/amd64 golang AS tools
FROM ruby:latest
FROM python:3.11-slim
FROM node:${NODE}-alpine
FROM debian:stable-slim
FROM postgres:16
FROM gcr.io/distroless/static-debian12:nonroot
