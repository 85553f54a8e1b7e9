"""Scores passages for a query with an exported studio folder through sentence-transformers, as a user would.

Usage: python score_export.py REQUEST.json, where the request holds {"folder", "query", "passages"}; prints the dot
products of the query's embedding with each passage's, as a JSON list, in the passages' order.
"""
import json
import sys

from sentence_transformers import SentenceTransformer


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as f:
        request = json.load(f)
    model = SentenceTransformer(request["folder"], device="cpu")
    query = model.encode([request["query"]], convert_to_tensor=True)
    passages = model.encode(request["passages"], convert_to_tensor=True)
    print(json.dumps((passages @ query[0]).tolist()))


if __name__ == "__main__":
    main()
