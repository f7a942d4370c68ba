"""What every page of a run shares: its Content-Security-Policy, its CSS and plotly's settings."""

from __future__ import annotations

from . import figures

CSP = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "img-src data: blob:; font-src data:; connect-src 'none'"
)
NO_SCRIPT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"
FIGURE_CONFIG = {"displaylogo": False, "responsive": True, "toImageButtonOptions": {"format": "svg", "scale": 1}}
CSS = (
    """
body{font-family:%s;margin:0;color:#222;background:#fafafa}
header{background:#1f3b57;color:#fff;padding:18px 28px}
header h1{margin:0 0 6px 0;font-size:24px} header p{margin:2px 0;opacity:.9}
nav{position:sticky;top:0;background:#fff;border-bottom:1px solid #ddd;padding:8px 28px;z-index:10}
nav a{margin-right:16px;color:#1f3b57;text-decoration:none;font-size:14px}
main{padding:10px 28px 40px 28px;max-width:1200px}
section{background:#fff;border:1px solid #e3e3e3;border-radius:6px;margin:18px 0;padding:12px 18px}
h2{font-size:19px;margin:6px 0 10px 0}
.note{color:#555;font-size:13px;margin:4px 0 8px 0}
.warn{background:#fff4e5;border-left:4px solid #f0a020;padding:8px 12px;margin:10px 0;font-size:14px}
table{border-collapse:collapse;font-size:13px;margin:6px 0}
td,th{border-bottom:1px solid #eee;padding:4px 10px;text-align:left;vertical-align:top}
th{background:#f3f5f7}
.passage{margin:6px 0 12px 0;padding:8px 12px;border-left:4px solid #ccc;background:#fbfbfb;
 white-space:pre-wrap;line-height:1.6;font-size:14px}
.meta{color:#666;font-size:12px}
.topic h3{font-size:16px;margin:14px 0 4px 0}
"""
    % figures.FONT
)
