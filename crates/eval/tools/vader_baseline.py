#!/usr/bin/env python3
"""VADER on the same English complaint sets and label mappings as `eval` (src/datasets.rs),
so its F1 stands next to the coach's in docs/COACH.md.

    pip install vaderSentiment
    python3 crates/eval/tools/vader_baseline.py [/work/shared/evaldata]

Negative = compound < 0.05, as in issue 3 (VADER's 0.67 on airline-tweet negatives and 0.55
on complaint tweets were measured that way). Keep the emotion groups in step with
GOEMOTIONS_* and ED_* in src/datasets.rs.
"""
import csv
import sys
import time
from pathlib import Path

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

GOEMOTIONS_NEGATIVE = {"anger", "annoyance", "disappointment", "disapproval", "disgust", "sadness",
                       "grief", "remorse", "embarrassment", "fear", "nervousness"}
GOEMOTIONS_POSITIVE = {"admiration", "amusement", "approval", "caring", "excitement", "gratitude",
                       "joy", "love", "optimism", "pride", "relief"}
ED_NEGATIVE = {"annoyed", "angry", "furious", "disappointed", "disgusted", "devastated", "sad",
               "lonely", "jealous", "embarrassed", "ashamed", "guilty", "afraid", "terrified",
               "anxious", "apprehensive"}
ED_POSITIVE = {"impressed", "excited", "proud", "joyful", "content", "confident", "hopeful",
               "caring", "grateful", "trusting", "faithful"}


def glean(path, negative, positive):
    with open(path, encoding="utf-8") as f:
        next(f)
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 2:
                continue
            text, label = parts[0], parts[1].strip()
            if label in negative:
                yield text, True
            elif label in positive:
                yield text, False


def cfpb(path):
    csv.field_size_limit(10**9)
    with open(path, encoding="utf-8") as f:
        for row in csv.DictReader(f):
            text = row["Consumer complaint narrative"]
            if text.strip():
                yield text, True


def score(items, analyzer):
    tp = fp = fn = 0
    started = time.perf_counter()
    n = 0
    size = 0
    for text, gold in items:
        predicted = analyzer.polarity_scores(text)["compound"] < 0.05
        tp += gold and predicted
        fp += (not gold) and predicted
        fn += gold and not predicted
        n += 1
        size += len(text.encode("utf-8"))
    seconds = time.perf_counter() - started
    precision = tp / (tp + fp) if tp + fp else float("nan")
    recall = tp / (tp + fn) if tp + fn else float("nan")
    f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    return n, tp + fn, precision, recall, f1, n / seconds, size / seconds / 1e6


def main():
    root = Path(sys.argv[1] if len(sys.argv) > 1 else "/work/shared/evaldata")
    analyzer = SentimentIntensityAnalyzer()
    sets = [
        ("goemotions_dev", glean(root / "goemotions_ed_glean/goemotions_dev.tsv",
                                 GOEMOTIONS_NEGATIVE, GOEMOTIONS_POSITIVE)),
        ("empathetic_dialogues_dev", glean(root / "goemotions_ed_glean/empatheticdialogues_dev.tsv",
                                           ED_NEGATIVE, ED_POSITIVE)),
        ("cfpb_narratives", cfpb(root / "cfpb_complaints/cfpb_sample_product_narrative.csv")),
    ]
    print("| set | n | gold yes | precision | recall | F1 | texts/s | MB/s |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, items in sets:
        n, positives, p, r, f1, per_second, mb = score(list(items), analyzer)
        print(f"| {name} | {n} | {positives} | {p:.3f} | {r:.3f} | {f1:.3f} | {per_second:,.0f} | {mb:.2f} |")


if __name__ == "__main__":
    main()
