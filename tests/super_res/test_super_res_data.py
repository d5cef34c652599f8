"""super_res data: prepare into bcolz (good and bad files, atomicity) and the chunk iterator."""

import hashlib
import os
import time
from collections import Counter

import numpy as np
import pytest
from PIL import Image

from keras_nst.core.arrays import open_arrays, split_chunks
from keras_nst.core.errors import NSTError
from keras_nst.core.iterator import BcolzArrayIterator
from super_res import prepare as P

from helpers import skimage_rgb

bcolz = pytest.importorskip("bcolz")


@pytest.fixture
def photos(tmp_path):
    """Two classes of good photos in ImageNet's layout, plus every kind of bad file."""
    src = tmp_path / "train"
    for wnid, name in (("n01", "chelsea"), ("n02", "coffee"), ("n02", "astronaut"), ("n03", "rocket")):
        (src / wnid).mkdir(parents=True, exist_ok=True)
        Image.fromarray(skimage_rgb(name)).save(src / wnid / f"{name}.JPEG")
    bad = src / "odd"
    bad.mkdir()
    Image.fromarray(skimage_rgb("coffee")).convert("L").save(bad / "gray.png")
    Image.fromarray(skimage_rgb("chelsea")).convert("CMYK").save(bad / "cmyk.jpg")
    Image.fromarray(skimage_rgb("astronaut")).convert("RGBA").save(bad / "rgba.png")
    Image.new("RGB", (60, 50)).save(bad / "tiny.png")
    (bad / "notes.jpg").write_text("not a picture")
    whole = (src / "n01" / "chelsea.JPEG").read_bytes()
    (bad / "cut.jpg").write_bytes(whole[: len(whole) // 3])
    (src / "README.txt").write_text("ignored: not an image extension")
    return src


def snapshot(folder):
    return {p.relative_to(folder): hashlib.sha256(p.read_bytes()).hexdigest() + str(p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()} | {"listing": sorted(map(str, folder.rglob("*")))}


def test_prepare_good_and_bad_files(photos, tmp_path):
    before = snapshot(photos)
    out = tmp_path / "prepared"
    m = P.prepare(photos, out, sizes=(16, 64), workers=2, chunklen=4, seed=1)
    assert snapshot(photos) == before  # the source is never written
    skipped = {name for name, _ in m["skipped"]}
    assert skipped == {"odd/tiny.png", "odd/notes.jpg", "odd/cut.jpg"}
    reasons = dict(m["skipped"])
    assert "smaller than the 64 px crop" in reasons["odd/tiny.png"] and "not an image" in reasons["odd/notes.jpg"]
    assert m["count"] == 7 and len(m["rows"]) == 7 and "odd/gray.png" in m["rows"]
    manifest, lr, hr = open_arrays(out)
    assert lr.shape == (7, 16, 16, 3) and hr.shape == (7, 64, 64, 3) and lr.dtype == np.uint8
    assert lr.chunklen == hr.chunklen == 4
    i = m["rows"].index("n01/chelsea.JPEG")  # row i of one array is row i of the other
    want = np.asarray(Image.fromarray(hr[i]).resize((16, 16), Image.BICUBIC))
    np.testing.assert_array_equal(lr[i], want)
    g = hr[m["rows"].index("odd/gray.png")].astype(int)
    assert np.array_equal(g[..., 0], g[..., 1])  # grayscale became RGB
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json", "trn_resized_16.bc", "trn_resized_64.bc"]


def test_shuffled_file_order_and_random_crops(photos, tmp_path):
    a = P.prepare(photos, tmp_path / "a", sizes=(16, 64), workers=1, crops_per_image=3, chunklen=4, seed=1)
    b = P.prepare(photos, tmp_path / "b", sizes=(16, 64), workers=2, crops_per_image=3, chunklen=4, seed=1)
    c = P.prepare(photos, tmp_path / "c", sizes=(16, 64), workers=1, crops_per_image=3, chunklen=4, seed=2)
    assert a["count"] == 21 and a["rows"] == b["rows"] != c["rows"]
    np.testing.assert_array_equal(open_arrays(tmp_path / "a")[2][:], open_arrays(tmp_path / "b")[2][:])
    assert a["rows"] != sorted(a["rows"])  # shuffled: neighbouring chunks mix the classes


def test_random_crops_mix_photos_within_a_chunk(photos, tmp_path):
    # a batch is whole chunks: one photo's crops to a chunk made every batch a single photo
    m = P.prepare(photos, tmp_path / "p", sizes=(16, 64), workers=2, crops_per_image=4, chunklen=4, seed=0)
    rows = m["rows"]
    assert Counter(rows) == {name: 4 for name in set(rows)} and len(set(rows)) == 7  # every crop, once
    assert np.mean([len(set(rows[i:i + 4])) for i in range(0, len(rows), 4)]) >= 2
    _, lr, hr = open_arrays(tmp_path / "p")
    for i in range(len(rows)):  # still aligned: row i of the small array is row i of the large, shrunk
        np.testing.assert_array_equal(lr[i], np.asarray(Image.fromarray(hr[i]).resize((16, 16), Image.BICUBIC)))


def test_interrupted_run_leaves_nothing_complete_looking(photos, tmp_path, monkeypatch):
    out = tmp_path / "prepared"
    real, calls = P.samples, []

    def dies_third(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(P, "samples", dies_third)
    with pytest.raises(KeyboardInterrupt):
        P.prepare(photos, out, sizes=(16, 64), workers=1, chunklen=4)
    assert list(out.iterdir()) == []  # no arrays, no manifest, no temp folder
    with pytest.raises(NSTError, match="not a complete prepared data folder"):
        open_arrays(out)


def test_refuses_to_overwrite_or_write_into_the_source(photos, tmp_path):
    with pytest.raises(NSTError, match="inside the source folder"):
        P.prepare(photos, photos / "prepared", sizes=(16, 64))
    out = tmp_path / "p"
    P.prepare(photos, out, sizes=(16, 64), workers=1, chunklen=4, limit=2)
    with pytest.raises(NSTError, match="already exists"):
        P.prepare(photos, out, sizes=(16, 64), workers=1, chunklen=4)
    m = P.prepare(photos, out, sizes=(16, 64), workers=1, chunklen=4, overwrite=True)
    assert open_arrays(out)[0]["count"] == m["count"] == 7
    with pytest.raises(NSTError, match="no image files"):
        P.prepare(tmp_path / "p", tmp_path / "q", sizes=(16, 64))


def arrays(tmp_path, n=10, chunklen=4):
    x = np.arange(n, dtype=np.uint8)[:, None, None, None] * np.ones((1, 2, 2, 3), np.uint8)
    X = bcolz.carray(x, chunklen=chunklen, rootdir=str(tmp_path / "x.bc"), mode="w")
    Y = bcolz.carray(x + 100, chunklen=chunklen, rootdir=str(tmp_path / "y.bc"), mode="w")
    return X, Y


def firsts(batch):
    return batch[0][:, 0, 0, 0].tolist()


def test_iterator_whole_chunks_in_order_with_leftover(tmp_path):
    X, Y = arrays(tmp_path)  # chunks: 0-3, 4-7, leftover 8-9
    it = BcolzArrayIterator(X, Y, batch_size=4)
    assert len(it) == 3
    assert [firsts(it[i]) for i in range(3)] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    x, y = it[2]
    np.testing.assert_array_equal(y, x + 100)  # aligned
    big = BcolzArrayIterator(X, Y, batch_size=8)
    assert [firsts(big[i]) for i in range(len(big))] == [[0, 1, 2, 3, 4, 5, 6, 7], [8, 9]]
    assert [firsts(next(it)) for _ in range(4)] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9], [0, 1, 2, 3]]


def test_iterator_shuffles_chunks_with_a_seed(tmp_path):
    X, Y = arrays(tmp_path, n=40)
    a, b = (BcolzArrayIterator(X, Y, batch_size=4, shuffle=True, seed=7) for _ in range(2))
    epoch = [firsts(a[i]) for i in range(len(a))]
    assert epoch == [firsts(b[i]) for i in range(len(b))]
    assert sorted(sum(epoch, [])) == list(range(40)) and epoch != sorted(epoch)
    assert all(e[0] % 4 == 0 and e == list(range(e[0], e[0] + 4)) for e in epoch)  # whole chunks
    a.on_epoch_end()
    assert [firsts(a[i]) for i in range(len(a))] != epoch  # a new order each epoch


def dihedral(a):
    """The 8 flips and quarter turns of an (h, w, c) array, keyed by their bytes."""
    return {np.rot90(f, k).tobytes(): (k, i) for i, f in enumerate((a, a[:, ::-1])) for k in range(4)}


@pytest.mark.parametrize("shape", [(6, 6), (4, 6)])
def test_iterator_augment_turns_each_pair_the_same_way(tmp_path, shape):
    rng = np.random.default_rng(0)
    (h, w), n = shape, 32
    x = rng.integers(0, 256, (n, h, w, 3), dtype=np.uint8)
    y = np.repeat(np.repeat(x, 2, axis=1), 2, axis=2)  # Y is X at twice the size: a turn of one is the other's
    X = bcolz.carray(x, chunklen=4, rootdir=str(tmp_path / "x.bc"), mode="w")
    Y = bcolz.carray(y, chunklen=4, rootdir=str(tmp_path / "y.bc"), mode="w")
    plain = BcolzArrayIterator(X, Y, batch_size=8, shuffle=True, seed=5)
    turned = BcolzArrayIterator(X, Y, batch_size=8, shuffle=True, seed=5, augment=True)
    assert (plain.order == turned.order).all()  # augmenting leaves a seed's chunk order alone
    seen = Counter()
    for _ in range(3):
        for b in range(len(turned)):
            (x0, y0), (x1, y1) = plain[b], turned[b]
            assert x1.shape == x0.shape and y1.shape == y0.shape
            for i in range(len(x0)):
                key = dihedral(x0[i])[x1[i].tobytes()]  # KeyError: not a flip or turn of its own crop
                assert dihedral(y0[i])[y1[i].tobytes()] == key  # Y turned as its X was
                seen[key] += 1
    assert len(seen) == (8 if h == w else 4)  # all 8 on square crops; flips and half turns only otherwise
    np.testing.assert_array_equal(X[:], x)  # the stored arrays are untouched


def test_iterator_rejects_bad_batch_sizes_and_splits(tmp_path):
    X, Y = arrays(tmp_path)
    with pytest.raises(NSTError, match="multiple of the arrays' chunk length 4"):
        BcolzArrayIterator(X, Y, batch_size=6)
    trn, val = split_chunks(10, 4, 0.2)
    assert trn.tolist() == [0, 1] and val.tolist() == [2]
    only = BcolzArrayIterator(X, Y, batch_size=4, chunks=val)
    assert len(only) == 1 and firsts(only[0]) == [8, 9]
    assert split_chunks(3, 4, 0.5)[1].tolist() == []  # one chunk: nothing to hold out


def test_held_out_chunks_share_no_photo_with_the_training_ones():
    # prepare's layout with crops: windows of 2 photos x 4 crops mixed, chunks of 2 rows (4 chunks a window)
    sources = [f"p{w}{i % 2}" for w in range(5) for i in range(8)]
    assert split_chunks(40, 2, 0.15)[1].tolist() == [17, 18, 19]  # the plain split cuts the last window
    trn, val = split_chunks(40, 2, 0.15, sources)
    assert val.tolist() == [16, 17, 18, 19]  # moved back to the window's start: 2 photos held out whole
    held = {sources[r] for c in val for r in range(2 * c, 2 * c + 2)}
    assert held.isdisjoint(sources[r] for c in trn for r in range(2 * c, 2 * c + 2))
    assert split_chunks(40, 2, 0.15, [f"p{r}" for r in range(40)])[1].tolist() == [17, 18, 19]  # one row each
    assert split_chunks(8, 2, 0.5, ["one"] * 8)[1].tolist() == [2, 3]  # one photo: nothing clean, plain split


def test_workers_keep_the_order_and_stay_a_few_files_ahead():
    done, taken = [], []

    def work(i):
        time.sleep(0.001)
        done.append(i)
        return i * i

    for i, result in enumerate(P._map(work, range(60), 3)):
        assert result == i * i
        taken.append(i)
        time.sleep(0.002)  # a slow writer: the workers must wait for it
        assert len(done) - len(taken) <= P.AHEAD * 3 + 1
    assert sorted(done) == list(range(60))


def test_a_killed_runs_temp_folder_is_removed(photos, tmp_path):
    out = tmp_path / "data"
    out.mkdir()
    stale, live = out / f"{P.TMP_PREFIX}999999999-abc", out / f"{P.TMP_PREFIX}{os.getpid()}-xyz"
    stale.mkdir()
    live.mkdir()  # a running prepare's folder (this process is alive): left alone
    P.prepare(photos, out, sizes=(16, 64), workers=1, chunklen=4)
    assert not stale.exists() and live.exists()


@pytest.mark.parametrize("options, message", [
    (["--workers", "-1"], "--workers must be at least 1"),
    (["--chunk-len", "0"], "--chunk-len must be at least 1"),
    (["--sizes", "0", "96"], "--sizes must be two different sizes >= 1 px"),
    (["--crops-per-image", "-1"], "--crops-per-image must be at least 0"),
    (["--limit", "0"], "--limit must be at least 1"),
    (["--limit", "-1"], "--limit must be at least 1"),
])
def test_bad_prepare_options_are_one_line_errors(photos, tmp_path, capsys, options, message):
    from super_res.cli import main

    assert main(["prepare", "--src", str(photos), "--out", str(tmp_path / "data")] + options) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and not (tmp_path / "data").exists()


def test_prepare_out_may_not_be_a_file(photos, tmp_path, capsys):
    from super_res.cli import main

    afile = tmp_path / "data.txt"
    afile.write_text("mine")
    assert main(["prepare", "--src", str(photos), "--out", str(afile)]) == 2
    assert "is not a folder" in capsys.readouterr().err and afile.read_text() == "mine"
