"""VADER on the same English texts the coach benchmark uses, one core: the English suite
(crates/coach/suite/en, the coach's own sentences) and real English tweets (every turn's text of
the customer-care conversations in <evaldata>/customer_care_twitter/ibm_cdp_dev.jsonl, read at
run time only; the tweet set is skipped when the data is not there).

    pip install vaderSentiment
    taskset -c 0 python3 crates/coach/benches/vader_compare.py [<evaldata dir>]

The evaldata directory defaults to $COACH_EVALDATA, then ../shared/evaldata beside the repository,
as in benches/coach_speed.rs.
"""
import json
import os
import pathlib
import sys
import time

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

crate = pathlib.Path(__file__).resolve().parent.parent
suite = crate / "suite" / "en"
suite_texts = [
    json.loads(line)["text"]
    for name in ("messages.jsonl", "replies.jsonl")
    for line in (suite / name).read_text(encoding="utf-8").splitlines()
    if line.strip()
]

evaldata = pathlib.Path(
    sys.argv[1] if len(sys.argv) > 1 else os.environ.get("COACH_EVALDATA", crate / "../../../shared/evaldata")
)
tweets_file = evaldata / "customer_care_twitter" / "ibm_cdp_dev.jsonl"
tweets = []
if tweets_file.exists():
    for line in tweets_file.read_text(encoding="utf-8").splitlines():
        if line.strip():
            tweets.extend(turn["text"] for turn in json.loads(line)["turns"] if isinstance(turn.get("text"), str))

analyzer = SentimentIntensityAnalyzer()


def measure(name, texts):
    # The coach reads JSON lines; count the same bytes for VADER so MB/s compare like for like.
    line_bytes = sum(len(json.dumps({"id": 0, "text": t, "language": "en"}, ensure_ascii=False).encode()) + 1 for t in texts)
    text_bytes = sum(len(t.encode()) for t in texts)
    rounds = 0
    start = time.perf_counter()
    cpu_start = time.process_time()
    while time.perf_counter() - start < 5:
        for t in texts:
            analyzer.polarity_scores(t)
        rounds += 1
    # CPU time, like the coach benchmark: the machine is shared.
    seconds = time.process_time() - cpu_start
    print(f"VADER, {name}: {len(texts)} texts x {rounds} rounds: {len(texts) * rounds / seconds:.0f} texts/s, "
          f"{text_bytes * rounds / seconds / 1e6:.2f} MB/s of text, {line_bytes * rounds / seconds / 1e6:.2f} MB/s of JSON lines, "
          f"{text_bytes / len(texts):.0f} bytes/text, per CPU second")


measure("English suite", suite_texts)
if tweets:
    measure("real English tweets", tweets)
else:
    print(f"VADER, real English tweets: skipped (no {tweets_file})")
