"""Views of a run's results: tables, plotly figures, paper figures, the dashboard, LaTeX and the
methods text. Render reads results and computes no finding; it writes no file."""
