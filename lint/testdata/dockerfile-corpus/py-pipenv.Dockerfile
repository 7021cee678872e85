FROM python:3.9.18-slim-bullseye
RUN pip install pipenv
WORKDIR /usr/src/app
COPY Pipfile Pipfile.lock ./
RUN pipenv install --system --deploy
COPY . .
USER 1000
CMD [ "gunicorn", "-b", "0.0.0.0:8080", "wsgi:app" ]
