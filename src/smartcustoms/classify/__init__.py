"""HS classification: suggest HS 2022 subheadings for goods descriptions, offline and explained,
and check lodged descriptions against the declared code (docs/classify.md).

Which file holds what:

- ``text``: reading a description (normalising, listing filler, lexicon, attribute rules);
- ``data``: the nomenclature and the labelled descriptions of the data directory;
- ``engine``: the fitted scorer (TF-IDF, chapter classifier, centroids, neighbour vote);
- ``evaluation``: held-out splits, accuracy, tuning and calibration on validation;
- ``suggester``: a built model answering queries (suggestions, explanations, vagueness);
- ``store``: built models under the data home (version, fingerprint, metrics);
- ``service``: use cases (build, evaluate, suggest, batch, national tariff lines);
- ``lodgement``: the declarations' ``SignalSource`` port (description vs declared code);
- ``queries``: the read API for other features (``ParcelClassifier.classify_many``);
- ``model`` / ``schemas``: plain result objects / API models.
"""
