#!/usr/bin/env python3
"""Generates the HiSoTransformer test fixtures (run from anywhere; numpy, scipy, tokenizers needed).

Usage: generate_fixtures.py MODEL_DIR SST2_DIR
  MODEL_DIR: the unpacked all-MiniLM-L6-v2 directory (Utils/fetch-minilm prints it).
  SST2_DIR: the GLUE SST-2 directory with dev.tsv.

Writes next to this script:
- tokenizer_reference.json: ids from tokenizer.json (HF `tokenizers`, no padding or truncation)
  for SST-2 dev sentences and hand-made edge cases;
- vocab.txt: a copy of the model's vocabulary (231 KB) so that the tokenizer tests need no download;
- tiny_bert/: a random 2-layer BERT (hidden 32) as safetensors + config.json + a 50-token vocab.txt, and
  tiny_bert_reference.json with its float64 numpy mean-pooled embeddings;
- minilm_reference.json: float64 numpy mean-pooled embeddings of the two DATA.md sentences
  under the real model, and their cosine similarity;
- malformed/*.safetensors: broken files for the reader's error tests.
"""
import json
import os
import shutil
import struct
import sys

import numpy as np
from scipy.special import erf
from tokenizers import Tokenizer

HERE = os.path.dirname(os.path.abspath(__file__))


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        lo, hi = info["data_offsets"]
        dtype = {"F32": np.float32, "I64": np.int64}[info["dtype"]]
        out[name] = np.frombuffer(data[lo:hi], dtype=dtype).reshape(info["shape"])
    return out


def write_safetensors(path, tensors, metadata=None):
    header = {}
    blobs = []
    offset = 0
    for name, array in tensors.items():
        raw = array.tobytes()
        dtype = {np.dtype(np.float32): "F32", np.dtype(np.int64): "I64"}[array.dtype]
        header[name] = {"dtype": dtype, "shape": list(array.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    if metadata is not None:
        header["__metadata__"] = metadata
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for raw in blobs:
            f.write(raw)


def layer_norm(x, w, b, eps):
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * w + b


def bert_mean_pooled(t, cfg, ids, mask):
    """Float64 reference forward: BERT encoder, then mean pooling over mask == 1."""
    g = {k: v.astype(np.float64) for k, v in t.items() if v.dtype == np.float32}
    h, heads, eps = cfg["hidden_size"], cfg["num_attention_heads"], cfg["layer_norm_eps"]
    dh = h // heads
    ids = np.asarray(ids)
    mask = np.asarray(mask, dtype=np.float64)
    batch, seq = ids.shape
    x = g["embeddings.word_embeddings.weight"][ids] + g["embeddings.position_embeddings.weight"][:seq][None]
    x = x + g["embeddings.token_type_embeddings.weight"][0]
    x = layer_norm(x, g["embeddings.LayerNorm.weight"], g["embeddings.LayerNorm.bias"], eps)
    bias = (1.0 - mask)[:, None, None, :] * np.finfo(np.float32).min
    for l in range(cfg["num_hidden_layers"]):
        p = f"encoder.layer.{l}."
        lin = lambda v, name: v @ g[p + name + ".weight"].T + g[p + name + ".bias"]
        split = lambda v: v.reshape(batch, seq, heads, dh).transpose(0, 2, 1, 3)
        q, k, v = split(lin(x, "attention.self.query")), split(lin(x, "attention.self.key")), split(lin(x, "attention.self.value"))
        s = q @ k.transpose(0, 1, 3, 2) / np.sqrt(dh) + bias
        s = np.exp(s - s.max(-1, keepdims=True))
        s = s / s.sum(-1, keepdims=True)
        a = (s @ v).transpose(0, 2, 1, 3).reshape(batch, seq, h)
        x = layer_norm(lin(a, "attention.output.dense") + x, g[p + "attention.output.LayerNorm.weight"], g[p + "attention.output.LayerNorm.bias"], eps)
        f = lin(x, "intermediate.dense")
        f = 0.5 * f * (1.0 + erf(f / np.sqrt(2.0)))
        x = layer_norm(lin(f, "output.dense") + x, g[p + "output.LayerNorm.weight"], g[p + "output.LayerNorm.bias"], eps)
    return (x * mask[:, :, None]).sum(1) / mask.sum(1, keepdims=True)


def tokenizer_reference(model_dir, sst2_dir):
    tok = Tokenizer.from_file(os.path.join(model_dir, "tokenizer.json"))
    tok.no_padding()
    tok.no_truncation()
    rows = [line.rstrip("\n").split("\t") for line in open(os.path.join(sst2_dir, "dev.tsv"), encoding="utf-8")][1:]
    sentences = [r[1] for r in rows]
    chosen = [s for s in sentences if any(ord(c) > 127 for c in s)]
    chosen += [s for i, s in enumerate(sentences) if i % 5 == 0 and s not in chosen]
    edge = [
        "A man is eating food.",
        "A man is eating a piece of bread.",
        "Héllo, WORLD!! Ça va? naïve café — Ångström",
        "中文字符 and 日本語 mixed",
        "tabs\tand\nnewlines\r\nand\u0000nul\u200bzero-width\ufffdreplacement",
        "don't stop-believing... (really) [sic] {x} #hash @at $5.00 50% a&b",
        "x" * 101 + " short " + "y" * 100,
        "unaffable unbelievably hyperparameterization antidisestablishmentarianism",
        "\u00a0non\u00a0breaking\u2003em space",
        "ﬁne ligature Ⅻ roman ½ half ²",
        "emoji 😀 and symbols ™ © ≥",
        "",
        "   ",
    ]
    cases = [{"text": s, "ids": tok.encode(s).ids} for s in edge + chosen]
    with open(os.path.join(HERE, "tokenizer_reference.json"), "w", encoding="utf-8") as f:
        json.dump({"source": "tokenizers " + __import__("tokenizers").__version__ + " on tokenizer.json of all-MiniLM-L6-v2",
                   "cases": cases}, f, ensure_ascii=False, indent=0)
    shutil.copyfile(os.path.join(model_dir, "vocab.txt"), os.path.join(HERE, "vocab.txt"))
    return tok


def tiny_bert():
    rng = np.random.default_rng(20251126)
    cfg = {"hidden_size": 32, "num_attention_heads": 4, "num_hidden_layers": 2, "intermediate_size": 64,
           "vocab_size": 50, "max_position_embeddings": 16, "type_vocab_size": 2, "layer_norm_eps": 1e-12,
           "hidden_act": "gelu", "model_type": "bert"}
    h, i = cfg["hidden_size"], cfg["intermediate_size"]
    r = lambda *shape: (rng.standard_normal(shape) * 0.2).astype(np.float32)
    t = {"embeddings.position_ids": np.arange(16, dtype=np.int64)[None]}
    t["embeddings.word_embeddings.weight"] = r(50, h)
    t["embeddings.position_embeddings.weight"] = r(16, h)
    t["embeddings.token_type_embeddings.weight"] = r(2, h)
    t["embeddings.LayerNorm.weight"] = 1 + r(h)
    t["embeddings.LayerNorm.bias"] = r(h)
    for l in range(2):
        p = f"encoder.layer.{l}."
        for name in ["attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense"]:
            t[p + name + ".weight"] = r(h, h)
            t[p + name + ".bias"] = r(h)
        t[p + "attention.output.LayerNorm.weight"] = 1 + r(h)
        t[p + "attention.output.LayerNorm.bias"] = r(h)
        t[p + "intermediate.dense.weight"] = r(i, h)
        t[p + "intermediate.dense.bias"] = r(i)
        t[p + "output.dense.weight"] = r(h, i)
        t[p + "output.dense.bias"] = r(h)
        t[p + "output.LayerNorm.weight"] = 1 + r(h)
        t[p + "output.LayerNorm.bias"] = r(h)
    t["pooler.dense.weight"] = r(h, h)
    t["pooler.dense.bias"] = r(h)
    d = os.path.join(HERE, "tiny_bert")
    os.makedirs(d, exist_ok=True)
    write_safetensors(os.path.join(d, "model.safetensors"), t, {"format": "pt"})
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(cfg, f, indent=1)
    words = ["the", "a", "good", "bad", "movie", "film", "is", "not", "very", "fun", "great", "awful", "boring",
             "funny", "and", "but", "it", "was", "i", "liked", "hated", "story", "actors", "plot", "too", "long",
             "short", "best", "worst", "ever", ".", ",", "!", "?", "'", "##s", "##ly", "##ing", "##ed", "love",
             "dull", "smart", "slow", "fine", "so"]
    with open(os.path.join(d, "vocab.txt"), "w") as f:
        f.write("\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + words) + "\n")
    ids = [[2, 17, 33, 5, 49, 1, 3, 8], [2, 40, 3, 0, 0, 0, 0, 0], [2, 9, 9, 9, 12, 3, 0, 0]]
    mask = [[1 if j < n else 0 for j in range(8)] for n in (8, 3, 6)]
    pooled = bert_mean_pooled(t, cfg, ids, mask)
    with open(os.path.join(HERE, "tiny_bert_reference.json"), "w") as f:
        json.dump({"ids": ids, "mask": mask, "pooled": pooled.tolist()}, f)
    return t


def minilm_reference(model_dir, tok):
    t = read_safetensors(os.path.join(model_dir, "model.safetensors"))
    cfg = json.load(open(os.path.join(model_dir, "config.json")))
    sentences = ["A man is eating food.", "A man is eating a piece of bread."]
    pooled = []
    for s in sentences:
        ids = tok.encode(s).ids
        pooled.append(bert_mean_pooled(t, cfg, [ids], [[1] * len(ids)])[0])
    a, b = pooled
    cosine = float(a @ b / np.linalg.norm(a) / np.linalg.norm(b))
    print("numpy float64 reference cosine similarity:", cosine)
    with open(os.path.join(HERE, "minilm_reference.json"), "w") as f:
        json.dump({"sentences": sentences, "pooled": [p.tolist() for p in pooled], "cosine": cosine}, f)


def malformed(tiny):
    d = os.path.join(HERE, "malformed")
    os.makedirs(d, exist_ok=True)
    small = {"a": np.arange(6, dtype=np.float32).reshape(2, 3), "b": np.ones(4, dtype=np.float32)}
    write_safetensors(os.path.join(d, "valid.safetensors"), small, {"note": "two tensors"})
    good = open(os.path.join(d, "valid.safetensors"), "rb").read()
    n = struct.unpack("<Q", good[:8])[0]
    header, data = good[8:8 + n], good[8 + n:]

    def write(name, raw):
        with open(os.path.join(d, name), "wb") as f:
            f.write(raw)

    def with_header(obj):
        text = json.dumps(obj).encode()
        return struct.pack("<Q", len(text)) + text

    write("bad_header_length.safetensors", struct.pack("<Q", 1 << 40) + good[8:])
    write("short_file.safetensors", b"\x05\x00\x00")
    write("bad_json.safetensors", struct.pack("<Q", n) + b"{\"a\": [" + header[7:])
    obj = json.loads(header)
    obj["a"]["shape"] = [2, 4]
    write("wrong_shape.safetensors", with_header(obj) + data)
    write("truncated_data.safetensors", good[:-5])
    obj = json.loads(header)
    obj["b"]["data_offsets"] = [16, 32]
    write("overlapping.safetensors", with_header(obj) + data)
    obj = json.loads(header)
    obj["a"]["dtype"] = "Q7"
    write("unknown_dtype.safetensors", with_header(obj) + data)


if __name__ == "__main__":
    model_dir, sst2_dir = sys.argv[1], sys.argv[2]
    tok = tokenizer_reference(model_dir, sst2_dir)
    tiny = tiny_bert()
    minilm_reference(model_dir, tok)
    malformed(tiny)
