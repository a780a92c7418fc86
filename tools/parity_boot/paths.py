"""Path serving: the downloads (get_file, urlretrieve, read_csv / loadtxt of a URL) and the
files programs read at hard-coded paths or beside themselves, answered from synthetic files of
the real layout (tools/keras_offline_*.py) or the program folder's own data/downloads/."""
import builtins
import importlib
import os
import urllib.request as _urlreq

import numpy as np

import keras_offline_data as _kod  # the fifth corpus's files (tools/keras_offline_data.py)
import keras_offline_more as _kom  # the fourteenth corpus's (tools/keras_offline_more.py)
import keras_offline_mlm as _kom18  # Machine Learning Mastery's CSVs (the eighteenth corpus's)

from .config import PROG, PROG_DIR as _PROG_DIR, TARGET
from .datasets import babi_tar, mnist, words_text

_prog_text = ""  # the program's source, read by install()
_np_loadtxt, _urlretrieve, _open = np.loadtxt, _urlreq.urlretrieve, builtins.open  # the originals
_exists = os.path.exists  # the original (install() makes os.path.exists look beside the program)


def _offline_file(fname, origin):
    """A local path for a download the program asks for, or None (then the real get_file runs)."""
    d = os.path.join(os.getcwd(), "kp_offline")
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, os.path.basename(fname))
    key = (str(fname) + " " + str(origin)).lower()
    # a file the program folder brings itself, synthetic data of the real layout (the
    # twenty-fourth corpus's data/downloads/moving_mnist.npy)
    own = os.path.join(_PROG_DIR, "data", "downloads", os.path.basename(fname))
    if os.path.isfile(own):
        return own
    # a folder of that name: the tree `get_file(name, url, untar=True)` leaves (the
    # thirty-third corpus's data/downloads/LJSpeech-1.1/ for keras-io's 2021 ctc_asr.py)
    if os.path.isdir(own):
        return own
    if "babi" in key:
        babi_tar(path)
        return path
    if "pemsd7_full.zip" in key:  # get_file(origin=..., extract=True): the CSVs beside it
        _kom.pemsd7_zip(path)
        return path
    if "aclimdb_v1" in key:  # get_file('aclImdb_v1.tar.gz', ..., untar=True, cache_dir='.')
        _kod.aclimdb_tree(os.getcwd())  # the tree beside the working folder's untar target
        _kom.aclimdb_v1_extras(os.getcwd())
        return os.path.join(os.getcwd(), "aclImdb_v1")
    if "petfinder" in key:  # get_file('petfinder_mini.zip', ..., extract=True, cache_dir='.')
        _kom.petfinder_zip(path)
        return path
    if "cora.tgz" in key:  # get_file('cora.tgz', ..., extract=True): cora/ beside it
        _kom.cora_tgz(path)
        return path
    if "auto-mpg.data" in key:  # the older regression tutorial's get_file('auto-mpg.data', ...)
        _kom.auto_mpg_data(path)
        return path
    if "iris_training.csv" in key or "iris_test.csv" in key:
        _kom.iris_csv(path, test="iris_test" in key)
        return path
    if "jena_climate" in key:  # the CSV beside the zip too: get_file(..., extract=True)
        _kod.jena_zip(path)
        import zipfile
        with zipfile.ZipFile(path) as z:
            z.extractall(d)
        return path
    if "ml-latest-small" in key:
        _kod.movielens_zip(path)
        return path
    if "flower_photos" in key:  # get_file('flower_photos', ..., untar=True): the folder
        return _kod.flower_photos_tree(d)
    if "bsds500" in key:  # get_file(origin=.../BSR_bsds500.tgz, fname="BSR", untar=True)
        return _kod.bsds500_tree(d)
    if "sunflower" in key:
        _kod.sunflower_jpg(path)
        return path
    if "spa-eng" in key:  # get_file(..., extract=True): the program opens spa-eng/spa.txt beside
        _kod.spa_eng_zip(path)
        return path
    if "news20" in key:  # get_file(..., untar=True): the untarred folder beside 20_newsgroup/
        _kod.news20_tree(d)
        return os.path.join(d, "news20")
    if "heart.csv" in key:  # the TF pandas tutorial's get_file('heart.csv', ...); keras-io reads the URL
        _kod.heart_frame().to_csv(path, index=False)
        return path
    if "shakespeare" in key:  # the TF text generation tutorial's get_file('shakespeare.txt', ...)
        # the TF word2vec tutorial subsamples frequent words and batches 1,024 skip-grams
        # (drop_remainder): it needs a file of the real one's size (~1 MB, 40,000 lines)
        big = "make_sampling_table" in _prog_text
        _kod.shakespeare_txt(path, **({"speeches": 12000} if big else {}))
        return path
    if "mnist.npz" in key:  # the TF load-NumPy tutorial's get_file('mnist.npz', ...): datasets.mnist's arrays
        (xtr, ytr), (xte, yte) = mnist()
        np.savez(path, x_train=xtr, y_train=ytr, x_test=xte, y_test=yte)
        return path
    if "sentiment%20labelled" in key or "sentiment labelled" in key:  # Gulli et al. ch. 8
        return _kom.uci_sentiment_tree(os.getcwd())  # get_file(..., extract=True, cache_dir='.')
    if "gutenberg.org" in key:  # Gulli et al. ch. 8's Alice books: its prompt is "Alice "
        with open(path, "w", encoding="utf-8") as f:
            f.write("\n".join("Alice " + s for s in words_text().split("\n")))
        return path
    if "nietzsche" in key or key.endswith(".txt "):
        with open(path, "w", encoding="utf-8") as f:
            f.write(words_text())
        return path
    return None


def _loadtxt(fname, *a, **kw):
    if isinstance(fname, str) and fname.startswith("http") and "FordA" in fname:
        n = 3601 if "TRAIN" in fname else 1320
        rng = np.random.default_rng(11 if "TRAIN" in fname else 12)
        y = rng.choice([-1.0, 1.0], n)
        t = np.linspace(0, 8 * np.pi, 500)
        x = np.sin(t[None, :] * (1.0 + 0.25 * (y[:, None] > 0)) + rng.uniform(0, 6.3, (n, 1)))
        x = x + 0.5 * rng.normal(size=(n, 500))
        x = (x - x.mean(1, keepdims=True)) / x.std(1, keepdims=True)
        return np.concatenate([y[:, None], x], axis=1)
    return _np_loadtxt(fname, *a, **kw)


def _urlretrieve_offline(url, filename=None, *a, **kw):
    """urlretrieve(url, filename) answered like get_file: from the program folder's
    data/downloads/<name> or the harness's synthetic files (the twenty-sixth corpus's
    movielens.zip downloads); anything else goes to the real urlretrieve."""
    import shutil
    p = _offline_file(os.path.basename(str(url).split("?")[0]), url)
    if p is None:
        return _urlretrieve(url, filename, *a, **kw)
    if filename is None:
        return p, None
    shutil.copyfile(p, filename)
    return filename, None


_OPENED = {"/creditcard.csv": _kod.creditcard_csv,  # imbalanced_classification's Kaggle file
           "/.keras/datasets/glove.6B.100d.txt": _kod.glove_txt,  # pretrained_word_embeddings
           "/jena_climate_2009_2016.csv": _kod.jena_csv}  # Deep Learning with Python 6.3


def _open_offline(file, *a, **kw):
    """The files programs read at hard-coded paths (their own download steps left out); a
    relative path read that the working folder lacks is read from beside the program (books'
    programs are run from their chapter's folder: `data/x.csv`, `../data/x.txt`)."""
    mode = a[0] if a else kw.get("mode", "r")
    if isinstance(file, str) and not os.path.isabs(file) and not _exists(file) \
            and not set("wax+") & set(mode) and _exists(os.path.join(_PROG_DIR, file)):
        file = os.path.join(_PROG_DIR, file)
    if isinstance(file, str) and os.path.isabs(file) and not _exists(file) \
            and not set("wax+") & set(mode):
        # a file at its author's absolute path (the Keras Deep Learning Cookbook's
        # open('/Users/<author>/.../glove.6B.100d.txt')): the folder's own data/downloads/<name>,
        # as read_csv of such a path reads it
        own = os.path.join(_PROG_DIR, "data", "downloads", os.path.basename(file))
        if os.path.isfile(own):
            file = own
    for tail, make in _OPENED.items():
        local = os.path.join(os.getcwd(), "kp_offline", os.path.basename(tail))
        if isinstance(file, str) and file.endswith(tail) and file != local \
                and not _exists(file):
            if not _exists(local):
                os.makedirs(os.path.dirname(local), exist_ok=True)
                make(local)
            file = local
    return _open(file, *a, **kw)


def _beside_program(check):
    def beside(path):
        if check(path):
            return True
        return isinstance(path, str) and path.startswith("..") \
            and check(os.path.join(_PROG_DIR, path))
    beside.__wrapped__ = check
    return beside


def _copy_workdir():
    """A workdir/ folder beside the program is copied into the working folder: the trees a
    book's reader puts in the chapter folder, which the program walks with os.listdir /
    flow_from_directory or opens through pathlib (the thirty-ninth corpus's data/20_newsgroup,
    data/{train,val}/{cat,dog}, data/fra-eng/fra.txt), the files an earlier program of the
    chapter saves and a later one loads (lstm_model.h5), and the empty folders a program saves
    into (images/). Copied, not linked: a program that saves over one of those files (h5py
    truncates in place) must not change the folder's."""
    src = os.path.join(_PROG_DIR, "workdir")
    if os.path.isdir(src):
        import shutil as _sh
        _sh.copytree(src, os.getcwd(), symlinks=True, dirs_exist_ok=True)


def install():
    """The download and file-reading functions replaced; the files the program's left-out shell
    cells would make written into the working folder."""
    for _mod in (TARGET + ".utils", TARGET + ".utils.data_utils"):
        try:
            _m = importlib.import_module(_mod)
        except ImportError:
            continue
        if hasattr(_m, "get_file") and not getattr(_m.get_file, "_kp", False):
            def _make(orig):
                def get_file(fname=None, origin=None, *a, **kw):
                    p = _offline_file(fname or os.path.basename(str(origin)), origin)
                    return p if p is not None else orig(fname, origin, *a, **kw)
                get_file._kp = True
                return get_file
            _m.get_file = _make(_m.get_file)
    np.loadtxt = _loadtxt
    _urlreq.urlretrieve = _urlretrieve_offline
    # ~/... paths: a home/ folder beside the program is copied (hard links) into the working folder
    # and HOME points there (the twenty-sixth corpus's ~/Downloads/16000_pcm_speeches, which the
    # program reorganises in place: each run gets its own tree)
    if os.path.isdir(os.path.join(os.path.dirname(os.path.abspath(PROG)), "home")):
        import shutil as _sh
        _home = os.path.join(os.getcwd(), "kp_home")
        if not os.path.exists(_home):
            _sh.copytree(os.path.join(os.path.dirname(os.path.abspath(PROG)), "home"), _home,
                         copy_function=os.link, symlinks=True)
        os.environ["HOME"] = _home
    _copy_workdir()
    builtins.open = _open_offline
    # a check for a file above the working folder ('../large_files/train_32x32.mat': the courses'
    # data folder beside their class folders) looks beside the program, as _open_offline reads
    # it; a path inside the working folder (the program's own outputs) is asked as written
    for _name in ("exists", "isfile", "isdir"):
        setattr(os.path, _name, _beside_program(getattr(os.path, _name)))
    _left_out_files()
    _serve_read_csv()


def _left_out_files():
    """The files a program's left-out shell cells (curl, wget, unzip) or its reader would have
    put in the working folder, written there (the program's text says which)."""
    global _prog_text
    # the aclImdb/ tree the text-classification examples' shell cells leave in the working folder,
    # and the PetImages/ tree of the cats-vs-dogs example's (curl + unzip)
    with _open(PROG, encoding="utf-8") as f:
        _prog_text = f.read()
    if "aclImdb" in _prog_text:
        _kod.aclimdb_tree(os.getcwd())
    # Machine Learning Mastery's posts read files the reader downloads beside the script
    for _name, _make in _kom18.FILES.items():
        if ("'%s'" % _name in _prog_text or '"%s"' % _name in _prog_text) \
                and not os.path.exists(_name):
            _make(os.path.join(os.getcwd(), _name))
    if "'wonderland.txt'" in _prog_text or '"wonderland.txt"' in _prog_text:
        with _open(os.path.join(os.getcwd(), "wonderland.txt"), "w", encoding="utf-8") as _w:
            _w.write(words_text(n_words=6000, seed=18))  # Gutenberg's Alice: ~144,000 chars
    if 'path_to_glove_file = "glove.6B.100d.txt"' in _prog_text:  # DLwP 2nd ed. ch. 11's wget
        _kod.glove_txt(os.path.join(os.getcwd(), "glove.6B.100d.txt"), reviews=True)
    if "captcha_images_v2" in _prog_text:  # captcha_ocr.py's curl/unzip cell, left out
        _kod.captcha_tree(os.getcwd())
    if 'data_path = "fra.txt"' in _prog_text:  # lstm_seq2seq.py's curl/unzip cells, left out
        _kod.fra_txt(os.path.join(os.getcwd(), "fra.txt"))
    if "data_path = 'fra-eng/fra.txt'" in _prog_text:  # keras-team 2.x cnn_seq2seq.py
        os.makedirs(os.path.join(os.getcwd(), "fra-eng"), exist_ok=True)
        _kod.fra_txt(os.path.join(os.getcwd(), "fra-eng", "fra.txt"), attribution=False)
    if 'text_file = "spa-eng/spa.txt"' in _prog_text:  # DLwP 2nd ed. ch. 11 part 4's wget/unzip
        _kod.spa_eng_zip(os.path.join(os.getcwd(), "spa-eng.zip"))
    if 'fname = os.path.join("jena_climate_2009_2016.csv")' in _prog_text:  # DLwP 2nd ed. ch. 10
        builtins.open = _open  # written here, not through the hard-coded path redirect above
        try:
            _kod.jena_csv(os.path.join(os.getcwd(), "jena_climate_2009_2016.csv"))
        finally:
            builtins.open = _open_offline
    if "PetImages" in _prog_text:
        _kod.petimages_tree(os.getcwd())
    if 'original_dir = pathlib.Path("train")' in _prog_text:  # DLwP 2nd ed. ch. 8's kaggle/unzip
        _kom.dogs_vs_cats_train(os.getcwd())
    # DLwP 2nd ed. ch. 12's gdown + unzip cell (left out); keras-io's DCGAN keeps its own cell
    # (os.makedirs("celeba_gan"), gdown.download, ZipFile) and the program folder's lib/gdown.py
    if '"celeba_gan",' in _prog_text and "gdown.download(" not in _prog_text:
        _kom.celeba_tree(os.getcwd())
    if 'target_dir = "annotations/trimaps/"' in _prog_text:  # oxford_pets_image_segmentation.py
        _kod.oxford_pets_tree(os.getcwd())
    if "./hot-dog-not-hot-dog/train" in _prog_text:  # DLTFpT transfer learning's wget + tar
        _kom.hotdog_tree(os.getcwd())
    if "fetch_california_housing" in _prog_text:  # Hands-On ML 2 ch. 10-12: scikit-learn's download
        import sklearn.datasets as _skd
        def _california(*a, return_X_y=False, **kw):
            b = _kom.california_housing()
            return (b.data, b.target) if return_X_y else b
        _skd.fetch_california_housing = _california


def _serve_read_csv():
    """pandas.read_csv of the URLs programs read, answered offline."""
    try:
        import pandas as _pd
    except ImportError:
        return
    _pd_read_csv = _pd.read_csv
    def _read_csv(src, *a, **kw):
        if isinstance(src, str) and src.startswith("http") and "numenta/NAB" in src:
            # the real files' layout (timestamp,value), read with the program's own arguments:
            # the TF tutorial passes parse_dates / index_col="timestamp", keras-io's
            # structured_data autoencoder none (it parses the timestamp strings itself)
            name = "nab_jumpsup.csv" if "jumpsup" in src else "nab_small_noise.csv"
            local = os.path.join(os.getcwd(), "kp_offline", name)
            if not _exists(local):
                rng = np.random.default_rng(13)
                idx = _pd.date_range("2014-04-01", periods=4032, freq="5min", name="timestamp")
                t = np.arange(4032)
                v = 20 + 60 * (np.sin(2 * np.pi * t / 288) > 0) + rng.normal(0, 2, 4032)
                if "jumpsup" in src:
                    v[2990:3100] += 60
                os.makedirs(os.path.dirname(local), exist_ok=True)
                _pd.DataFrame({"value": v}, index=idx).to_csv(local, date_format="%Y-%m-%d %H:%M:%S")
            return _pd_read_csv(local, *a, **kw)
        if isinstance(src, str) and src.startswith("http") and src.endswith("/heart.csv"):
            return _kod.heart_frame()
        if isinstance(src, str) and src.startswith("http") and "covtype.data" in src:
            return _kod.covtype_frame()
        if isinstance(src, str) and src.startswith("http") and src.endswith("/arxiv_data.csv"):
            return _kod.arxiv_frame()
        if isinstance(src, str) and src.startswith("http") and src.endswith("/creditcard.csv"):
            local = os.path.join(os.getcwd(), "kp_offline", "creditcard.csv")  # the TF tutorial's
            if not _exists(local):
                os.makedirs(os.path.dirname(local), exist_ok=True)
                _kod.creditcard_csv(local)
            return _pd_read_csv(local, *a, **kw)
        if isinstance(src, str) and src.startswith("http") and src.endswith("/auto-mpg.data"):
            local = os.path.join(os.getcwd(), "kp_offline", "auto-mpg.data")
            if not _exists(local):
                os.makedirs(os.path.dirname(local), exist_ok=True)
                _kom.auto_mpg_data(local)
            return _pd_read_csv(local, *a, **kw)
        if isinstance(src, str) and src.startswith("http") and src.endswith("/data/ecg.csv"):
            return _kod.ecg_frame()
        if isinstance(src, str) and src.startswith("http"):
            own = os.path.join(_PROG_DIR, "data", "downloads", os.path.basename(src.split("?")[0]))
            if os.path.isfile(own):  # a synthetic file of the real layout the folder brings
                return _pd_read_csv(own, *a, **kw)
        if isinstance(src, str) and not os.path.isabs(src) and not src.startswith("http") \
                and not _exists(src) and _exists(os.path.join(_PROG_DIR, src)):
            # a relative path read from beside the program, as _open_offline reads one (the
            # thirty-seventh corpus's courses run from their class folder: '../large_files/x.csv')
            return _pd_read_csv(os.path.join(_PROG_DIR, src), *a, **kw)
        if isinstance(src, str) and os.path.isabs(src) and not _exists(src):
            # where a left-out `!wget -O /tmp/x.csv` cell would have put it (the Udacity
            # course's /tmp/sentiment.csv): the folder's own data/downloads/x.csv
            own = os.path.join(_PROG_DIR, "data", "downloads", os.path.basename(src))
            if os.path.isfile(own):
                return _pd_read_csv(own, *a, **kw)
        return _pd_read_csv(src, *a, **kw)
    _pd.read_csv = _read_csv
