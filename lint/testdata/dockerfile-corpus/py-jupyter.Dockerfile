FROM jupyter/scipy-notebook:latest

USER root
RUN apt-get update --yes && \
    apt-get install --yes --no-install-recommends ffmpeg && \
    apt-get clean && rm -rf /var/lib/apt/lists/*

USER ${NB_UID}
RUN pip install --quiet --no-cache-dir plotly==5.18.0 'altair' && \
    fix-permissions "${CONDA_DIR}" && \
    fix-permissions "/home/${NB_USER}"
