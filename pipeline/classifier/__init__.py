"""Quality classifiers: fastText supervised models, the text normaliser they share, training and scoring."""
