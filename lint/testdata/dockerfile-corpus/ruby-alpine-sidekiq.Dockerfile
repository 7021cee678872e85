FROM ruby:3.2.3-alpine3.19
RUN apk add --no-cache build-base postgresql-dev tzdata
WORKDIR /app
COPY Gemfile Gemfile.lock ./
RUN bundle config set without 'development test' && bundle install --jobs 4
COPY . .
RUN addgroup -S app && adduser -S app -G app
USER app
CMD ["bundle", "exec", "sidekiq"]
