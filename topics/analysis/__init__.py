"""What a run finds beside the model: quality, trends and their uncertainty, stability, model
comparison, the K sweep, theme words by year, formulations and the date audit."""
