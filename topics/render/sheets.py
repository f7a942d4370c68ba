"""A coder's sheet: one self-contained offline HTML page of validation tasks (a Sheet in, text out).

The page needs no network: its CSS and JavaScript are inline and the dashboard's
Content-Security-Policy forbids every request. Every string from the corpus (words, unit texts) and
the config (the experiment's name) is escaped here, on the server side; the script never inserts
HTML, it only shows one task at a time, marks the option clicked, counts progress, keeps the answers
in the browser's local storage, and offers them as a CSV file (columns ``ANSWER_COLUMNS``) built from
ids the kit made (kit id, coder number, task ids, option letters), downloaded through a Blob.
The sheet holds no answer: it is built from a Sheet, which has no key.
"""

from __future__ import annotations

from . import escape
from .shell import CSP
from .figures import FONT

ANSWER_COLUMNS = ("kit", "coder", "task", "choice")
QUESTIONS = {  # kind -> (title, question in English, question in Chinese)
    "word_intrusion": (
        "Word intrusion · 词语侵入",
        "Which word does not belong with the others?",
        "哪个词与其他词不属于同一主题？",
    ),
    "word_set_intrusion": (
        "Word-set intrusion · 词组侵入",
        "Which set of words does not belong with the others?",
        "哪一组词与其他几组不属于同一主题？",
    ),
    "topic_intrusion": (
        "Topic intrusion · 主题侵入",
        "Read the passage. Which topic does not fit it?",
        "请阅读这段文字：哪个主题与它不符？",
    ),
}
SEPARATOR = "、"  # between the words of a set or a topic

CSS = (
    """
body{font-family:%s;margin:0;color:#222;background:#f6f7f9;font-size:16px}
header{background:#1f3b57;color:#fff;padding:14px 24px}
header h1{margin:0 0 4px 0;font-size:22px} header p{margin:2px 0;opacity:.9;font-size:14px}
main{max-width:960px;margin:0 auto;padding:8px 24px 60px 24px}
.box{background:#fff;border:1px solid #e1e4e8;border-radius:6px;margin:14px 0;padding:12px 18px}
details summary{cursor:pointer;font-weight:600}
.bar{position:sticky;top:0;z-index:5;display:flex;gap:14px;align-items:center;flex-wrap:wrap}
progress{width:220px;height:14px}
button{font:inherit;cursor:pointer}
#download{background:#1f3b57;color:#fff;border:0;border-radius:4px;padding:8px 14px}
#jump{display:flex;flex-wrap:wrap;gap:4px}
#jump button{width:34px;height:28px;border:1px solid #c8ccd1;background:#fff;border-radius:3px;font-size:13px}
#jump button.done{background:#d8e8d8;border-color:#7aa37a}
#jump button.here{outline:2px solid #1f3b57}
.kind{color:#555;font-size:14px;margin:0}
.question{font-size:19px;font-weight:600;margin:6px 0 12px 0}
.passage{margin:8px 0 14px 0;padding:10px 14px;border-left:4px solid #9bb;background:#fbfbfb;
 white-space:pre-wrap;line-height:1.9;font-size:18px}
.options{display:flex;flex-direction:column;gap:8px}
.option{display:flex;gap:12px;align-items:baseline;text-align:left;padding:10px 14px;border:1px solid #c8ccd1;
 border-radius:5px;background:#fff;font-size:20px;line-height:1.6}
.option:hover{border-color:#1f3b57}
.option[aria-pressed=true]{background:#1f3b57;color:#fff;border-color:#1f3b57}
.letter{font-size:14px;font-weight:700;min-width:1.4em;color:#888}
.option[aria-pressed=true] .letter{color:#cde}
.steps{display:flex;gap:10px;margin-top:14px}
.steps button{padding:8px 16px;border:1px solid #c8ccd1;background:#fff;border-radius:4px}
#done{color:#256029;font-weight:600}
"""
    % FONT
)

SCRIPT = """
(function () {
  "use strict";
  var body = document.body, kit = body.dataset.kit, coder = body.dataset.coder;
  var tasks = Array.prototype.slice.call(document.querySelectorAll("article.task"));
  var jumps = Array.prototype.slice.call(document.querySelectorAll("#jump button"));
  var store = "topics-validation:" + kit + ":" + coder, answers = {}, here = 0, timer = null;
  try { answers = JSON.parse(window.localStorage.getItem(store) || "{}") || {}; } catch (e) { answers = {}; }
  function keep() { try { window.localStorage.setItem(store, JSON.stringify(answers)); } catch (e) {} }
  function count() { return tasks.filter(function (t) { return answers[t.dataset.task]; }).length; }
  function show(i) {
    here = Math.max(0, Math.min(tasks.length - 1, i));
    tasks.forEach(function (t, j) { t.hidden = j !== here; });
    jumps.forEach(function (b, j) { b.classList.toggle("here", j === here); });
    document.getElementById("prev").disabled = here === 0;
    document.getElementById("next").disabled = here === tasks.length - 1;
  }
  function paint() {
    var done = count();
    tasks.forEach(function (t, j) {
      var chosen = answers[t.dataset.task];
      t.querySelectorAll("button.option").forEach(function (b) {
        b.setAttribute("aria-pressed", b.dataset.option === chosen ? "true" : "false");
      });
      jumps[j].classList.toggle("done", Boolean(chosen));
    });
    document.getElementById("progress").value = done;
    document.getElementById("progress-text").textContent = done + " of " + tasks.length + " answered";
    document.getElementById("done").hidden = done !== tasks.length;
  }
  function nextOpen(from) {
    for (var j = from + 1; j < tasks.length; j++) { if (!answers[tasks[j].dataset.task]) { return j; } }
    return Math.min(from + 1, tasks.length - 1);
  }
  function choose(task, option) {
    var first = !answers[task];
    answers[task] = option;
    keep();
    paint();
    document.getElementById("intro").open = false;
    if (first) {
      clearTimeout(timer);
      var at = here;
      timer = setTimeout(function () { if (here === at) { show(nextOpen(at)); } }, 250);
    }
  }
  tasks.forEach(function (t) {
    t.querySelectorAll("button.option").forEach(function (b) {
      b.addEventListener("click", function () { choose(t.dataset.task, b.dataset.option); });
    });
  });
  jumps.forEach(function (b, j) { b.addEventListener("click", function () { show(j); }); });
  document.getElementById("prev").addEventListener("click", function () { show(here - 1); });
  document.getElementById("next").addEventListener("click", function () { show(here + 1); });
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "ArrowRight") { show(here + 1); return; }
    if (ev.key === "ArrowLeft") { show(here - 1); return; }
    var options = tasks[here].querySelectorAll("button.option");
    var i = "123456789".indexOf(ev.key);
    if (i < 0) { i = "abcdefghi".indexOf(ev.key.toLowerCase()); }
    if (i >= 0 && i < options.length) { options[i].click(); }
  });
  document.getElementById("download").addEventListener("click", function () {
    var lines = ["__HEADER__"];
    tasks.forEach(function (t) {
      var chosen = answers[t.dataset.task];
      if (chosen) { lines.push([kit, coder, t.dataset.task, chosen].join(",")); }
    });
    var blob = new Blob([lines.join("\\n") + "\\n"], {type: "text/csv;charset=utf-8"});
    var url = URL.createObjectURL(blob), a = document.createElement("a");
    a.href = url;
    a.download = "coder-" + coder + "-answers.csv";
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
  });
  paint();
  show(nextOpen(-1));
})();
"""

_e = escape.html


def _task(i: int, n: int, task) -> str:
    title, question, chinese = QUESTIONS[task.kind]
    passage = f'<div class="passage">{_e(task.text)}</div>' if task.text else ""
    options = "".join(
        f'<button type="button" class="option" data-option="{_e(o.id)}" aria-pressed="false">'
        f'<span class="letter">{_e(o.id)}</span><span class="words">{_e(SEPARATOR.join(o.words))}</span></button>'
        for o in task.options
    )
    return (
        f'<article class="task box" data-task="{_e(task.id)}"{" hidden" if i else ""}>'
        f'<p class="kind">Task {i + 1} of {n} · {_e(title)}</p>'
        f'<p class="question">{_e(question)}<br>{_e(chinese)}</p>{passage}<div class="options">{options}</div></article>'
    )


def _instructions(kinds: list[str]) -> str:
    items = "".join(
        f"<li><b>{_e(QUESTIONS[k][0])}</b>: {_e(QUESTIONS[k][1])} {_e(QUESTIONS[k][2])}</li>" for k in kinds
    )
    return (
        '<details class="box" id="intro" open><summary>How to answer · 说明</summary>'
        "<p>Each task shows a few options; one of them was put there by the kit and does not belong. "
        "Click the option that does not belong (or press its number). The sheet moves to the next task; "
        "go back with ← Previous or the task numbers to change an answer. When you are done, click "
        "<b>Download answers (CSV)</b> and send the file to the researcher.</p>"
        "<p>每道题中有一个选项不属于其他选项所在的主题。请点击它（或按对应的数字键）。完成后请点击"
        "“Download answers (CSV)”下载答案文件，并发送给研究者。</p>"
        f"<ul>{items}</ul>"
        "<p class=\"kind\">Answers are kept in this browser until you download them; nothing is sent anywhere.</p>"
        "</details>"
    )


def coder_sheet(sheet) -> str:
    """The HTML of one coder's sheet (a Sheet: tasks in the coder's order, no key)."""
    n = len(sheet.tasks)
    kinds = list(dict.fromkeys(t.kind for t in sheet.tasks))
    jump = "".join(f'<button type="button" title="task {i + 1}">{i + 1}</button>' for i in range(n))
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-Hans">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Coder {sheet.coder} · {_e(sheet.experiment)} · topics validation</title>",
        f"<style>{CSS}</style>",
        "</head>",
        f'<body data-kit="{_e(sheet.kit_id)}" data-coder="{sheet.coder}">',
        f"<header><h1>Topic validation · coder {sheet.coder} of {sheet.coders}</h1>"
        f"<p>run {_e(sheet.experiment)} · fit {_e(sheet.fit_id)} · kit {_e(sheet.kit_id)} · {n} tasks</p></header>",
        "<main>",
        '<noscript><p class="box">This sheet needs JavaScript to record answers. 本页面需要启用 JavaScript。</p></noscript>',
        _instructions(kinds),
        '<div class="box bar"><span id="progress-text" aria-live="polite">0 of '
        f'{n} answered</span><progress id="progress" max="{n}" value="0"></progress>'
        '<button type="button" id="download">Download answers (CSV)</button>'
        '<span id="done" hidden>All tasks answered: download your answers. 已全部完成，请下载答案。</span></div>',
        f'<nav class="box" id="jump" aria-label="tasks">{jump}</nav>',
        *(_task(i, n, t) for i, t in enumerate(sheet.tasks)),
        '<div class="steps"><button type="button" id="prev">← Previous</button>'
        '<button type="button" id="next">Next →</button></div>',
        "</main>",
        f"<script>{SCRIPT.replace('__HEADER__', ','.join(ANSWER_COLUMNS))}</script>",
        "</body>",
        "</html>",
    ]
    return "\n".join(parts) + "\n"
