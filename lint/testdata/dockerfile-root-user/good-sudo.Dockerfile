# Shaped like photoprism's: the development base image sets an unprivileged
# user, whom sudo lifts for one command.
FROM photoprism/develop:251018-questing
WORKDIR "/go/src/github.com/photoprism/photoprism"
COPY . .
RUN sudo /scripts/install-yt-dlp.sh
