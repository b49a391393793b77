"""VADER on the same English texts the coach benchmark uses (crates/coach/suite/en), one core.

    pip install vaderSentiment
    taskset -c 0 python3 crates/coach/benches/vader_compare.py
"""
import json
import pathlib
import time

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

suite = pathlib.Path(__file__).resolve().parent.parent / "suite" / "en"
texts = [
    json.loads(line)["text"]
    for name in ("messages.jsonl", "replies.jsonl")
    for line in (suite / name).read_text(encoding="utf-8").splitlines()
    if line.strip()
]
# The coach reads JSON lines; count the same bytes for VADER so MB/s compare like for like.
line_bytes = sum(len(json.dumps({"id": 0, "text": t, "language": "en"}, ensure_ascii=False).encode()) + 1 for t in texts)
text_bytes = sum(len(t.encode()) for t in texts)

analyzer = SentimentIntensityAnalyzer()
rounds = 0
start = time.perf_counter()
cpu_start = time.process_time()
while time.perf_counter() - start < 5:
    for t in texts:
        analyzer.polarity_scores(t)
    rounds += 1
# CPU time, like the coach benchmark: the machine is shared.
seconds = time.process_time() - cpu_start
print(f"VADER: {len(texts)} texts x {rounds} rounds: {len(texts) * rounds / seconds:.0f} texts/s, "
      f"{text_bytes * rounds / seconds / 1e6:.2f} MB/s of text, {line_bytes * rounds / seconds / 1e6:.2f} MB/s of JSON lines, per CPU second")
