"""Offline copies of the downloads the fifth (and sixth) corpus's programs make (keras_corpus.md),
for tools/keras_parity.py: synthetic data of the real files' layout (file names, columns, dtypes,
value ranges) with a learnable signal, seeded, so both sides see the same bytes. Imported by the
harness's bootstrap in each child process; nothing here touches the network.

    heart_frame()            heart.csv (Cleveland heart disease, 303 rows x 14 columns)
    jena_zip(path)           jena_climate_2009_2016.csv.zip (a 10-minute weather series, 15 columns)
    jena_csv(path)           jena_climate_2009_2016.csv, unzipped, all 420,551 rows (seventh corpus)
    movielens_zip(path)      ml-latest-small.zip (ratings.csv, movies.csv)
    creditcard_csv(path)     creditcard.csv (Kaggle credit card fraud: Time, V1..V28, Amount, Class)
    aclimdb_tree(root)       aclImdb/{train,test}/{pos,neg}/*.txt (raw IMDB reviews)
    news20_tree(root)        20_newsgroup/<20 groups>/<numbered posts> (news20.tar.gz, untarred)
    glove_txt(path)          glove.6B.100d.txt (a word and its 100 floats a line)
    captcha_tree(root)       captcha_images_v2/<5 characters>.png (200x50 captchas, sixth corpus)
    fra_txt(path)            fra.txt (manythings.org Anki English TAB French TAB attribution)
    covtype_frame()          covtype.data.gz (UCI Covertype: 54 integer features, cover type 1-7)
    petimages_tree(root)     PetImages/{Cat,Dog}/*.jpg (Kaggle cats vs dogs, a few corrupt files)
    flower_photos_tree(root) flower_photos/<5 classes>/*.jpg (flower_photos.tgz, untarred)
    sunflower_jpg(path)      592px-Red_sunflower.jpg
    bsds500_tree(root)       BSR/BSDS500/data/images/{train,val,test}/*.jpg (BSR_bsds500.tgz, seventh)
    oxford_pets_tree(root)   images/*.jpg, annotations/trimaps/*.png (Oxford-IIIT Pet, seventh)
    spa_eng_zip(path)        spa-eng.zip and its extracted spa-eng/spa.txt (eighth corpus)
    arxiv_frame()            arxiv_data.csv (arXiv titles, abstracts, term lists; eighth corpus)
    ecg_frame()              ecg.csv (ECG5000 as the TF autoencoder tutorial reads it; eleventh)
    shakespeare_txt(path)    shakespeare.txt (tiny Shakespeare: speakers' names, verse; twelfth)

Sizes: heart.csv and ml-latest-small have the real row counts; the Jena series has 60,000 rows
(the real file 420,551), creditcard.csv 28,480 rows (a tenth) with 1% positives (the real 0.17%,
so that a 1,000-sample cap still sees some), aclImdb 1,000 reviews per class and split (the real
12,500), 20_newsgroup 200 posts a group (the real ~1,000), GloVe the words the posts use plus
2,000 others (the real 400,000), PetImages 300 pictures a class (the real 12,500), flower_photos
120 a class (the real 633-898): the programs compute their splits from what they read, so only
the run time changes. The pictures are JPEGs of coloured ellipses on noisy backgrounds, the
ellipse's colour (jittered per picture, so the classes overlap) the class signal.
"""
import os
import zipfile

import numpy as np


def heart_frame():
    import pandas as pd
    rng = np.random.default_rng(21)
    n = 303
    age = rng.integers(29, 78, n)
    sex = rng.integers(0, 2, n)
    cp = rng.integers(0, 5, n)
    trestbps = rng.integers(94, 201, n)
    chol = rng.integers(126, 565, n)
    fbs = (rng.random(n) < 0.15).astype(np.int64)
    restecg = rng.integers(0, 3, n)
    thalach = rng.integers(71, 203, n)
    exang = rng.integers(0, 2, n)
    oldpeak = np.round(rng.gamma(1.2, 0.9, n), 1)
    slope = rng.integers(1, 4, n)
    ca = rng.integers(0, 4, n)
    thal = rng.choice(["fixed", "normal", "reversible"], n, p=[0.1, 0.55, 0.35])
    score = (0.04 * (age - 54) + 0.8 * sex + 0.5 * (cp == 4) + 1.2 * exang + 0.7 * oldpeak
             - 0.03 * (thalach - 150) + 0.6 * ca + 1.0 * (thal == "reversible") - 1.6)
    target = (score + rng.normal(0, 0.8, n) > 0).astype(np.int64)
    return pd.DataFrame({"age": age, "sex": sex, "cp": cp, "trestbps": trestbps, "chol": chol,
                         "fbs": fbs, "restecg": restecg, "thalach": thalach, "exang": exang,
                         "oldpeak": oldpeak, "slope": slope, "ca": ca, "thal": thal,
                         "target": target})


JENA_COLUMNS = ["p (mbar)", "T (degC)", "Tpot (K)", "Tdew (degC)", "rh (%)", "VPmax (mbar)",
                "VPact (mbar)", "VPdef (mbar)", "sh (g/kg)", "H2OC (mmol/mol)", "rho (g/m**3)",
                "wv (m/s)", "max. wv (m/s)", "wd (deg)"]


def jena_zip(path, rows=60000):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("jena_climate_2009_2016.csv", _jena_frame(rows).to_csv(index=False))


def jena_csv(path, rows=420551):
    """jena_climate_2009_2016.csv itself, as Deep Learning with Python (1st edition) reads it
    from a local folder: the real 420,551 rows (the notebooks split at rows 200,000 and
    300,000), the header's names in double quotes and no newline after the last row, as the
    real file has (the notebook's ``data.split('\\n')`` parses every line)."""
    df = _jena_frame(rows)
    body = df.to_csv(index=False, header=False).rstrip("\n")
    with open(path, "w", encoding="utf-8") as f:
        f.write(",".join('"%s"' % c for c in df.columns) + "\n" + body)


def _jena_frame(rows):
    import pandas as pd
    rng = np.random.default_rng(22)
    t = np.arange(rows)
    day, year = 2 * np.pi * t / 144, 2 * np.pi * t / (144 * 365)
    weather = np.zeros(rows)  # slow fronts: a mean-reverting walk
    kicks = rng.normal(0, 0.15, rows)
    for i in range(1, rows):
        weather[i] = 0.995 * weather[i - 1] + kicks[i]
    temp = 9 - 9 * np.cos(year) + 4 * np.sin(day - 2) + weather + rng.normal(0, 0.3, rows)
    p = 989 + 8 * np.sin(year / 3) - 1.5 * weather + rng.normal(0, 0.5, rows)
    rh = np.clip(76 - 2.5 * (temp - 9) + rng.normal(0, 6, rows), 12, 100)
    vpmax = 6.1 * np.exp(17.6 * temp / (temp + 243))
    vpact = vpmax * rh / 100
    tdew = 243 * np.log(vpact / 6.1) / (17.6 - np.log(vpact / 6.1))
    sh = 622 * vpact / (p - 0.378 * vpact)
    wv = np.abs(2 + rng.normal(0, 1.3, rows))
    cols = [p, temp, temp + 273.15 + (1000 - p) * 0.01, tdew, rh, vpmax, vpact, vpmax - vpact,
            sh, sh * 1.6, p * 100 / (287.05 * (temp + 273.15)) * 1000, wv, wv * 1.7,
            rng.uniform(0, 360, rows)]
    stamps = pd.date_range("2009-01-01 00:10:00", periods=rows, freq="10min")
    df = pd.DataFrame({"Date Time": stamps.strftime("%d.%m.%Y %H:%M:%S")})
    for name, v in zip(JENA_COLUMNS, cols):
        df[name] = np.round(v, 2)
    return df


def movielens_zip(path, users=610, movies=9724, ratings=100836):
    import pandas as pd
    rng = np.random.default_rng(23)
    u_taste = rng.normal(0, 1, (users, 4))
    m_kind = rng.normal(0, 1, (movies, 4))
    movie_ids = np.sort(rng.choice(np.arange(1, 193610), movies, replace=False))
    pop = rng.zipf(1.6, movies).astype(np.float64)
    u = rng.integers(0, users, ratings)
    m = rng.choice(movies, ratings, p=pop / pop.sum())
    raw = 3.5 + 0.6 * np.sum(u_taste[u] * m_kind[m], 1) / 2 + rng.normal(0, 0.5, ratings)
    rating = np.clip(np.round(raw * 2) / 2, 0.5, 5.0)
    stamp = rng.integers(828124615, 1537799250, ratings)
    order = np.lexsort((movie_ids[m], u))
    ratings_df = pd.DataFrame({"userId": u[order] + 1, "movieId": movie_ids[m[order]],
                               "rating": rating[order], "timestamp": stamp[order]})
    genres = ["Action", "Adventure", "Animation", "Children", "Comedy", "Crime", "Drama",
              "Fantasy", "Horror", "Romance", "Sci-Fi", "Thriller"]
    mlines = ["movieId,title,genres"] + [
        '%d,"Movie %d (%d)",%s' % (mid, mid, 1950 + mid % 70,
                                   "|".join(rng.choice(genres, 1 + mid % 3, replace=False)))
        for mid in movie_ids]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("ml-latest-small/ratings.csv", ratings_df.to_csv(index=False))
        z.writestr("ml-latest-small/movies.csv", "\n".join(mlines) + "\n")


def creditcard_csv(path, rows=28480, fraud=0.01):
    rng = np.random.default_rng(24)
    y = (rng.random(rows) < fraud).astype(np.int64)
    v = rng.normal(0, 1, (rows, 28))
    v[y == 1, :6] += rng.normal(-2.5, 1.0, (int(y.sum()), 6))  # the frauds differ in V1..V6
    t = np.sort(rng.uniform(0, 172792, rows)).round()
    amount = np.round(rng.lognormal(3, 1.4, rows), 2)
    head = ",".join('"%s"' % c for c in ["Time"] + ["V%d" % i for i in range(1, 29)]
                    + ["Amount", "Class"])
    table = np.concatenate([t[:, None], v, amount[:, None]], axis=1)
    fmt = ",".join(["%d"] + ["%.6f"] * 28 + ["%.2f"]) + ',"%d"'
    np.savetxt(path, np.concatenate([table, y[:, None]], axis=1), fmt=fmt, header=head,
               comments="")


_POS = ("great wonderful superb moving brilliant loved excellent beautiful touching fun "
        "charming masterpiece").split()
_NEG = ("awful boring terrible waste dull worst stupid mess bad poorly painful "
        "disappointing").split()
_COMMON = ("the a and of to is it this that was in film movie story acting plot with as for "
           "but on his her they one all at by an be who so about just some there characters "
           "time really even").split()


# Note [the reviews' long tail]
# Real reviews have a vocabulary far larger than any program's max_tokens (the 25,000
# training reviews: ~88,000 distinct words), and Deep Learning with Python 2nd ed. ch. 11
# builds Input(shape=(20000,)) for TextVectorization(max_tokens=20000)'s multi_hot output: with
# the first synthetic reviews' 130 words the vectors were 130 wide and both sides failed. So
# 30% of a review's words are drawn uniformly from a long tail of 40,000 made-up, sentiment-free
# words (pronounceable syllable strings, seeded): ~28,000 of them occur in a 1,600-review
# training split, more than the 20,000 tokens programs keep. The sentiment signal is what it
# was (12% words of the review's own mood, 3% of the other): what moved is the common words'
# share (85% -> 55%), now shared with the tail, which to a model is noise or out-of-vocabulary
# tokens, as rare words are in the real reviews.
_TAIL_SIZE, _TAIL_SHARE = 40000, 0.30


def _tail_words():
    rng = np.random.default_rng(28)
    onsets = list("bcdfghjklmnprstvz") + ["br", "ch", "dr", "gr", "pl", "st", "th", "tr"]
    vowels = ["a", "e", "i", "o", "u", "ai", "ou", "ee"]
    codas = ["", "", "n", "r", "s", "l", "m", "x"]
    taken = set(_POS) | set(_NEG) | set(_COMMON)
    words = []
    while len(words) < _TAIL_SIZE:
        k = int(rng.integers(2, 4))
        w = "".join(onsets[rng.integers(len(onsets))] + vowels[rng.integers(len(vowels))] +
                    codas[rng.integers(len(codas))] for _ in range(k))
        if w not in taken:
            taken.add(w)
            words.append(w)
    return words


_TAIL = []


def _review(rng, positive):
    if not _TAIL:
        _TAIL.extend(_tail_words())
    mood = _POS if positive else _NEG
    other = _NEG if positive else _POS
    n = int(rng.integers(40, 160))
    r = rng.random(n)
    pick = [mood, other, _COMMON, _TAIL]
    kind = np.where(r < 0.12, 0, np.where(r < 0.15, 1,
                                           np.where(r < 1.0 - _TAIL_SHARE, 2, 3)))
    idx = rng.integers(0, 1 << 30, n)
    words = [pick[k][i % len(pick[k])] for k, i in zip(kind, idx)]
    half = n // 2
    return (" ".join(words[:half]).capitalize() + ".<br /><br />"
            + " ".join(words[half:]).capitalize() + "!")


def aclimdb_tree(root, per_class=1000):
    rng = np.random.default_rng(25)
    for split in ("train", "test"):
        for label in ("neg", "pos"):
            d = os.path.join(root, "aclImdb", split, label)
            os.makedirs(d, exist_ok=True)
            for i in range(per_class):
                with open(os.path.join(d, "%d_%d.txt" % (i, 7 if label == "pos" else 2)),
                          "w", encoding="utf-8") as f:
                    f.write(_review(rng, label == "pos"))



NEWSGROUPS = ["alt.atheism", "comp.graphics", "comp.os.ms-windows.misc",
              "comp.sys.ibm.pc.hardware", "comp.sys.mac.hardware", "comp.windows.x",
              "misc.forsale", "rec.autos", "rec.motorcycles", "rec.sport.baseball",
              "rec.sport.hockey", "sci.crypt", "sci.electronics", "sci.med", "sci.space",
              "soc.religion.christian", "talk.politics.guns", "talk.politics.mideast",
              "talk.politics.misc", "talk.religion.misc"]


# the reviews' common words and those the example looks up ("the cat sat on the mat")
_NEWS_COMMON = _COMMON + ["cat", "sat", "mat", "computer", "message", "modeling", "3d"]


def _topic_words(k):
    """Twelve made-up words for group k (each group its own), the signal a classifier finds."""
    return ["%s%d" % (stem, k) for stem in ("topic", "term", "word", "thing", "issue", "item",
                                            "point", "idea", "part", "case", "kind", "sort")]


def news20_tree(root, per_group=200):
    rng = np.random.default_rng(26)
    for k, group in enumerate(NEWSGROUPS):
        d = os.path.join(root, "20_newsgroup", group)
        os.makedirs(d, exist_ok=True)
        topic = _topic_words(k)
        first = 38987 if group == "comp.graphics" else 50000 + 1000 * k
        for i in range(per_group):
            head = ["Xref: cantaloupe.srv.cs.cmu.edu %s:%d" % (group, first + i),
                    "Path: cantaloupe.srv.cs.cmu.edu!news", "From: user%d@example.edu" % i,
                    "Newsgroups: %s" % group, "Subject: Re: question %d" % i,
                    "Message-ID: <%d@example.edu>" % (first + i), "Sender: news@example.edu",
                    "Organization: Example University", "Lines: 20", ""]
            n = int(rng.integers(60, 160))
            r = rng.random(n)
            common = rng.integers(0, len(_NEWS_COMMON), n)
            pick = rng.integers(0, len(topic), n)
            body = " ".join(topic[p] if x < 0.15 else _NEWS_COMMON[c]
                            for x, c, p in zip(r, common, pick))
            with open(os.path.join(d, str(first + i)), "w", encoding="latin-1") as f:
                f.write("\n".join(head) + "\n" + body + "\n")


def glove_txt(path, extra=2000, dim=100, reviews=False):
    """Vectors for the posts' words: a group's topic words lie near their group's centre, so the
    frozen embeddings carry the signal; the common words and ``extra`` fillers are noise.
    ``reviews``: also the synthetic reviews' mood words (the positive ones near one centre, the
    negative near another) and 5,000 of their tail words (noise), after the posts' lines and
    from a generator of their own, so the posts' vectors are the same either way (Deep Learning
    with Python 2nd ed. ch. 11 reads glove.6B.100d.txt from its working folder for aclImdb)."""
    rng = np.random.default_rng(27)
    lines = []
    for k in range(len(NEWSGROUPS)):
        centre = rng.normal(0, 1, dim)
        for w in _topic_words(k):
            lines.append((w, centre + rng.normal(0, 0.3, dim)))
    for w in _NEWS_COMMON + ["filler%d" % i for i in range(extra)]:
        lines.append((w, rng.normal(0, 1, dim)))
    if reviews:
        rrng = np.random.default_rng(29)
        for words in (_POS, _NEG):
            centre = rrng.normal(0, 1, dim)
            lines.extend((w, centre + rrng.normal(0, 0.3, dim)) for w in words)
        if not _TAIL:
            _TAIL.extend(_tail_words())
        lines.extend((w, rrng.normal(0, 1, dim)) for w in _TAIL[:5000])
    with open(path, "w") as f:
        for w, v in lines:
            f.write(w + " " + " ".join("%.5f" % x for x in v) + "\n")


CAPTCHA_CHARS = "2345678bcdefgmnpwxy"  # the 19 characters of the real captcha_images_v2 set


def captcha_tree(root, n=1040):
    """captcha_images_v2/: n 200x50 grayscale PNGs named by their 5-character text (the real
    set: 1,040 RGBA PNGs of the same size and alphabet). Each character is a fixed random glyph
    (26x14 strokes), drawn dark on a noisy light background at a jittered slot, so the text is
    readable by a CNN + LSTM with CTC; grayscale, so decode_png(channels=1) is exact on both
    sides. Needs Pillow."""
    from PIL import Image
    rng = np.random.default_rng(28)
    glyphs = {c: np.random.default_rng(100 + i).random((26, 14)) < 0.45
              for i, c in enumerate(CAPTCHA_CHARS)}
    d = os.path.join(root, "captcha_images_v2")
    os.makedirs(d, exist_ok=True)
    seen = set()
    while len(seen) < n:
        text = "".join(rng.choice(list(CAPTCHA_CHARS), 5))
        if text in seen:
            continue
        seen.add(text)
        img = rng.normal(225, 12, (50, 200))
        for i, c in enumerate(text):
            y = 12 + int(rng.integers(-4, 5))
            x = 22 + 32 * i + int(rng.integers(-4, 5))
            img[y:y + 26, x:x + 14][glyphs[c]] = rng.normal(60, 15)
        Image.fromarray(np.clip(img, 0, 255).astype(np.uint8), mode="L").save(
            os.path.join(d, text + ".png"))


_FRA_WORDS = {
    "go": "va", "run": "cours", "stop": "arrete", "wait": "attends", "help": "aide",
    "come": "viens", "eat": "mange", "sleep": "dors", "look": "regarde", "listen": "ecoute",
    "i": "je", "you": "tu", "we": "nous", "they": "ils", "he": "il", "she": "elle",
    "see": "vois", "like": "aime", "want": "veux", "have": "ai", "know": "sais", "am": "suis",
    "the": "le", "a": "un", "cat": "chat", "dog": "chien", "house": "maison", "car": "voiture",
    "book": "livre", "water": "eau", "bread": "pain", "tree": "arbre", "man": "homme",
    "woman": "femme", "child": "enfant", "friend": "ami", "city": "ville", "sea": "mer",
    "big": "grand", "small": "petit", "red": "rouge", "blue": "bleu", "old": "vieux",
    "new": "nouveau", "good": "bon", "bad": "mauvais", "here": "ici", "now": "maintenant",
    "today": "aujourd'hui", "tired": "fatigue", "happy": "content", "home": "chez moi",
}


def fra_txt(path, n=12000, attribution=True):
    """fra.txt of manythings.org's fra-eng.zip: ``English TAB French TAB attribution`` lines,
    shortest first as in the real file (whose first lines are "Go.", "Hi.", "Run!"); with
    attribution=False the two-column ``English TAB French`` lines of the 2017-2018 file that
    the keras-team 2.x examples split with ``input_text, target_text = line.split('\t')``. The pairs
    are made-up sentences of 1-5 words translated word by word from a fixed dictionary, with
    the real file's punctuation habits ("!" and "?" after a space in French)."""
    rng = np.random.default_rng(29)
    words = sorted(_FRA_WORDS)
    pairs = set()
    while len(pairs) < n:
        k = int(min(5, 1 + rng.poisson(1.6)))
        en = [str(w) for w in rng.choice(words, k)]
        mark = str(rng.choice([".", "!", "?"], p=[0.6, 0.25, 0.15]))
        fr = [_FRA_WORDS[w] for w in en]
        english = " ".join(en).capitalize() + mark
        french = " ".join(fr).capitalize() + ("." if mark == "." else " " + mark)
        pairs.add((english, french))
    lines = sorted(pairs, key=lambda p: (len(p[0]), p))
    with open(path, "w", encoding="utf-8") as f:
        for i, (en, fr) in enumerate(lines):
            if not attribution:
                f.write("%s\t%s\n" % (en, fr))
                continue
            f.write("%s\t%s\tCC-BY 2.0 (France) Attribution: tatoeba.org #%d (CK) & #%d "
                    "(sacredceltic)\n" % (en, fr, 2877272 + i, 1158250 + i))


def covtype_frame(rows=20000):
    """covtype.data.gz as pd.read_csv(url, header=None) returns it: 55 integer columns, the 10
    cartographic measurements (the real ranges), 4 one-hot wilderness areas, 40 one-hot soil
    types and the cover type 1-7 (the real file: 581,012 rows; here 20,000, since the example
    decodes the one-hot columns with a per-row pandas apply). The cover type follows elevation,
    area and soil, with noise."""
    import pandas as pd
    rng = np.random.default_rng(30)
    area = rng.choice(4, rows, p=[0.45, 0.05, 0.44, 0.06])
    soil = rng.integers(0, 40, rows)
    elev = rng.normal(2960, 280, rows).clip(1859, 3858)
    score = (elev - 2960) / 140 + 0.8 * (area == 2) - 0.9 * (area == 3) + (soil % 7 - 3) * 0.35
    cover = np.clip(np.round(3.5 + score + rng.normal(0, 0.9, rows)), 1, 7).astype(np.int64)
    num = np.stack([elev, rng.uniform(0, 360, rows), rng.gamma(2.2, 6.4, rows).clip(0, 66),
                    rng.gamma(1.2, 225, rows).clip(0, 1397), rng.normal(46, 58, rows),
                    rng.gamma(1.6, 1470, rows).clip(0, 7117), rng.normal(212, 27, rows),
                    rng.normal(223, 20, rows), rng.normal(143, 38, rows),
                    rng.gamma(1.7, 1160, rows).clip(0, 7173)], axis=1)
    num = np.round(num).astype(np.int64)
    num[:, 6:9] = num[:, 6:9].clip(0, 254)
    table = np.concatenate([num, np.eye(4, dtype=np.int64)[area],
                            np.eye(40, dtype=np.int64)[soil], cover[:, None]], axis=1)
    return pd.DataFrame(table)


# ---- the sixth corpus's image trees (aug_ programs, tools/keras_corpus.md) ----------------------

def _picture(rng, h, w, blob_rgb, jitter):
    """An (h, w, 3) uint8 picture: a smooth random background, one ellipse of colour
    ``blob_rgb`` (+- ``jitter`` per image) at a random place and size, and pixel noise. The
    ellipse's colour is the class signal; flips, rotations and zooms keep it."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    base = rng.uniform(40, 200, 3)
    tilt = rng.normal(0, 0.25, (2, 3))
    img = base + (yy[..., None] / h - 0.5) * tilt[0] * 255 + (xx[..., None] / w - 0.5) * \
        tilt[1] * 255
    cy, cx = rng.uniform(0.3, 0.7) * h, rng.uniform(0.3, 0.7) * w
    ry, rx = rng.uniform(0.15, 0.35) * h, rng.uniform(0.15, 0.35) * w
    inside = ((yy - cy) / ry) ** 2 + ((xx - cx) / rx) ** 2 <= 1
    colour = np.asarray(blob_rgb, np.float32) + rng.normal(0, jitter, 3)
    img[inside] = colour
    img += rng.normal(0, 18, (h, w, 3))
    return np.clip(img, 0, 255).astype(np.uint8)


def _save_jpeg(path, pixels):
    from PIL import Image
    Image.fromarray(pixels).save(path, format="JPEG", quality=90)  # a JFIF APP0 header


PET_COLOURS = {"Cat": (200, 140, 70), "Dog": (150, 110, 90)}  # orange-ish against brown-ish


def petimages_tree(root, per_class=300, corrupt=4):
    """PetImages/{Cat,Dog}/<n>.jpg as the Kaggle archive unzips (Cat/6779.jpg among them, which
    image_classification_from_scratch.py loads at the end), images of 120-220 x 120-220
    pixels (the real ones ~500 x 375: decoding time only); ``corrupt`` files a class that are
    not JFIF JPEGs (the example deletes them: random bytes, a PNG and an Exif-only JPEG
    header), as the real archive has."""
    from PIL import Image
    if os.path.isdir(os.path.join(root, "PetImages")):
        return
    rng = np.random.default_rng(28)
    for cls, colour in PET_COLOURS.items():
        d = os.path.join(root, "PetImages", cls)
        os.makedirs(d)
        names = list(range(per_class))
        if cls == "Cat":
            names[-1] = 6779
        for n in names:
            h, w = (int(v) for v in rng.integers(120, 221, 2))
            _save_jpeg(os.path.join(d, "%d.jpg" % n), _picture(rng, h, w, colour, 30))
        for k in range(corrupt):
            path = os.path.join(d, "%d.jpg" % (per_class + 1000 + k))
            if k % 3 == 0:
                with open(path, "wb") as f:
                    f.write(rng.integers(0, 256, 2000, dtype=np.uint8).tobytes())
            elif k % 3 == 1:
                Image.fromarray(_picture(rng, 64, 64, colour, 30)).save(path, format="PNG")
            else:
                with open(path, "wb") as f:
                    f.write(b"\xff\xd8\xff\xe1\x00\x10Exif\x00\x00" + bytes(200))
    # Thumbs.db sits in the real folders too (not an image: both loaders skip the name)
    with open(os.path.join(root, "PetImages", "Cat", "Thumbs.db"), "wb") as f:
        f.write(bytes(64))


FLOWER_COLOURS = {"daisy": (235, 235, 225), "dandelion": (240, 210, 40),
                  "roses": (200, 30, 50), "sunflowers": (230, 160, 20),
                  "tulips": (225, 80, 140)}


def flower_photos_tree(root, per_class=120):
    """flower_photos/<5 classes>/*.jpg (the untarred flower_photos.tgz, with its
    LICENSE.txt), ``per_class`` photos a class (the real 633-898) of 180-320 x 180-320 pixels.
    The classes' colours are close in pairs (daisy/dandelion, sunflowers/dandelion), so the
    task is not solved in one epoch."""
    if os.path.isdir(os.path.join(root, "flower_photos")):
        return os.path.join(root, "flower_photos")
    rng = np.random.default_rng(29)
    for cls, colour in FLOWER_COLOURS.items():
        d = os.path.join(root, "flower_photos", cls)
        os.makedirs(d)
        for i in range(per_class):
            h, w = (int(v) for v in rng.integers(180, 321, 2))
            name = "%d_%s.jpg" % (1000000 + 7919 * i, "%08x" % int(rng.integers(1 << 31)))
            _save_jpeg(os.path.join(d, name), _picture(rng, h, w, colour, 35))
    with open(os.path.join(root, "flower_photos", "LICENSE.txt"), "w") as f:
        f.write("synthetic flower photos for the offline parity run\n")
    return os.path.join(root, "flower_photos")


def sunflower_jpg(path):
    """592px-Red_sunflower.jpg: one 592 x 443 picture of the sunflower colour."""
    _save_jpeg(path, _picture(np.random.default_rng(30), 443, 592,
                              FLOWER_COLOURS["sunflowers"], 0))


# ---- the seventh corpus (tools/keras_corpus.md "Seventh corpus") -----------------------------

def _scene(rng, h, w):
    """An (h, w, 3) uint8 picture with edges at several scales, for super-resolution: a smooth
    tilted background, 3-8 filled ellipses and rectangles of random colours, a soft stripe
    texture and a little pixel noise (JPEG-compressed by the caller)."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    img = rng.uniform(40, 200, 3) + (yy[..., None] / h - 0.5) * rng.normal(0, 60, 3) + \
        (xx[..., None] / w - 0.5) * rng.normal(0, 60, 3)
    for _ in range(int(rng.integers(3, 9))):
        cy, cx = rng.uniform(0, h), rng.uniform(0, w)
        ry, rx = rng.uniform(0.05, 0.3) * h, rng.uniform(0.05, 0.3) * w
        if rng.random() < 0.5:
            inside = ((yy - cy) / ry) ** 2 + ((xx - cx) / rx) ** 2 <= 1
        else:
            inside = (np.abs(yy - cy) <= ry) & (np.abs(xx - cx) <= rx)
        img[inside] = rng.uniform(0, 255, 3)
    period, angle = rng.uniform(6, 30), rng.uniform(0, np.pi)
    img += 12 * np.sin((yy * np.cos(angle) + xx * np.sin(angle)) * 2 * np.pi / period)[..., None]
    img += rng.normal(0, 4, (h, w, 3))
    return np.clip(img, 0, 255).astype(np.uint8)


def bsds500_tree(root):
    """BSR/ as BSR_bsds500.tgz untars (get_file(origin=..., fname="BSR", untar=True) returns
    it): BSDS500/data/images/{train,val,test}/<id>.jpg with the real 200 / 100 / 200 split and
    481 x 321 (or 321 x 481) pictures, a Thumbs.db in each images folder and the
    groundTruth/{train,val,test}/<id>.mat files beside them (placeholder bytes: no example
    reads them; image_dataset_from_directory sees no image there). The pictures are synthetic
    scenes (_scene): shapes with sharp edges on smooth backgrounds, so that upscaling has
    something to learn."""
    top = os.path.join(root, "BSR")
    if os.path.isdir(top):
        return top
    rng = np.random.default_rng(31)
    data = os.path.join(top, "BSDS500", "data")
    ident = 2018
    for split, n in (("train", 200), ("val", 100), ("test", 200)):
        imgs = os.path.join(data, "images", split)
        truth = os.path.join(data, "groundTruth", split)
        os.makedirs(imgs)
        os.makedirs(truth)
        for _ in range(n):
            ident += int(rng.integers(1, 1500))
            h, w = (321, 481) if rng.random() < 0.65 else (481, 321)
            _save_jpeg(os.path.join(imgs, "%d.jpg" % ident), _scene(rng, h, w))
            with open(os.path.join(truth, "%d.mat" % ident), "wb") as f:
                f.write(b"MATLAB 5.0 MAT-file, synthetic placeholder" + bytes(84))
        with open(os.path.join(imgs, "Thumbs.db"), "wb") as f:
            f.write(bytes(64))
    return top


PET_BREEDS = ["Abyssinian", "Bengal", "Birman", "Bombay", "British_Shorthair", "Egyptian_Mau",
              "Maine_Coon", "Persian", "Ragdoll", "Russian_Blue", "Siamese", "Sphynx",
              "american_bulldog", "american_pit_bull_terrier", "basset_hound", "beagle", "boxer",
              "chihuahua", "english_cocker_spaniel", "english_setter", "german_shorthaired",
              "great_pyrenees", "havanese", "japanese_chin", "keeshond", "leonberger",
              "miniature_pinscher", "newfoundland", "pomeranian", "pug", "saint_bernard",
              "samoyed", "scottish_terrier", "shiba_inu", "staffordshire_bull_terrier",
              "wheaten_terrier", "yorkshire_terrier"]


def oxford_pets_tree(root, n=1200):
    """images/<Breed>_<k>.jpg and annotations/trimaps/<Breed>_<k>.png in the working folder, as
    the Oxford-IIIT Pet example's curl + tar cells leave them (the real 37 breed names, cats
    capitalized; ``n`` pictures, the real 7,390), with the archive's AppleDouble
    ``._<name>.png`` files in trimaps/ (the example skips names starting with a dot). A trimap
    is a grayscale PNG of 1 (pet), 2 (background) and 3 (the pet's border), the real coding; the
    picture a pet-coloured blob (ellipse) on a noisy background of 150-260 pixels a side, the
    trimap's regions drawn from the same blob."""
    from PIL import Image
    images = os.path.join(root, "images")
    trimaps = os.path.join(root, "annotations", "trimaps")
    if os.path.isdir(images) and os.path.isdir(trimaps):
        return
    os.makedirs(images, exist_ok=True)
    os.makedirs(trimaps, exist_ok=True)
    rng = np.random.default_rng(32)
    for i in range(n):
        breed = PET_BREEDS[i % len(PET_BREEDS)]
        name = "%s_%d" % (breed, i // len(PET_BREEDS) + 1)
        h, w = (int(v) for v in rng.integers(150, 261, 2))
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        cy, cx = rng.uniform(0.35, 0.65) * h, rng.uniform(0.35, 0.65) * w
        ry, rx = rng.uniform(0.2, 0.4) * h, rng.uniform(0.2, 0.4) * w
        r = np.sqrt(((yy - cy) / ry) ** 2 + ((xx - cx) / rx) ** 2)
        img = rng.uniform(30, 220, 3) + rng.normal(0, 25, (h, w, 3))
        pet = rng.uniform(60, 200, 3) + (40.0 if breed[0].isupper() else -40.0)
        img[r <= 1] = pet + rng.normal(0, 12, (int((r <= 1).sum()), 3))
        _save_jpeg(os.path.join(images, name + ".jpg"), np.clip(img, 0, 255).astype(np.uint8))
        tri = np.full((h, w), 2, np.uint8)
        tri[r <= 1.08] = 3
        tri[r <= 0.92] = 1
        Image.fromarray(tri, mode="L").save(os.path.join(trimaps, name + ".png"))
    for k in range(3):
        with open(os.path.join(trimaps, "._%s_%d.png" % (PET_BREEDS[k], 1)), "wb") as f:
            f.write(b"\x00\x05\x16\x07" + bytes(78))


# ---- eighth corpus ----

_SPA_WORDS = {
    "i": "yo", "you": "tú", "we": "nosotros", "they": "ellos", "he": "él", "she": "ella",
    "tom": "tom", "mary": "mary", "see": "veo", "like": "gusta", "want": "quiero",
    "have": "tengo", "know": "sé", "am": "estoy", "is": "es", "are": "son", "eat": "como",
    "read": "leo", "write": "escribo", "need": "necesito", "the": "el", "a": "un",
    "cat": "gato", "dog": "perro", "house": "casa", "car": "coche", "book": "libro",
    "water": "agua", "bread": "pan", "tree": "árbol", "man": "hombre", "woman": "mujer",
    "child": "niño", "friend": "amigo", "city": "ciudad", "sea": "mar", "money": "dinero",
    "letter": "carta", "big": "grande", "small": "pequeño", "red": "rojo", "blue": "azul",
    "old": "viejo", "new": "nuevo", "good": "bueno", "bad": "malo", "here": "aquí",
    "now": "ahora", "today": "hoy", "tomorrow": "mañana", "tired": "cansado",
    "happy": "feliz", "home": "en casa", "very": "muy", "not": "no",
}


def spa_eng_zip(path, n=12000):
    """spa-eng.zip of download.tensorflow.org (the neural machine translation examples):
    ``spa-eng/spa.txt``, ``English TAB Spanish`` lines, shortest first as in the real file
    (118,964 pairs; here ``n``), Spanish questions opened with "¿". Made-up sentences of 1-6
    words translated word by word from a fixed dictionary. Also writes the extracted
    ``spa-eng/spa.txt`` beside ``path`` (what ``get_file(..., extract=True)`` leaves)."""
    rng = np.random.default_rng(31)
    words = sorted(_SPA_WORDS)
    pairs = set()
    while len(pairs) < n:
        k = int(min(6, 1 + rng.poisson(2.2)))
        en = [str(w) for w in rng.choice(words, k)]
        mark = str(rng.choice([".", "!", "?"], p=[0.6, 0.2, 0.2]))
        es = " ".join(_SPA_WORDS[w] for w in en)
        english = " ".join(en).capitalize() + mark
        spanish = {"?": "¿%s?", "!": "¡%s!", ".": "%s."}[mark] % es.capitalize()
        pairs.add((english, spanish))
    lines = sorted(pairs, key=lambda p: (len(p[0]), p))
    text = "".join("%s\t%s\n" % p for p in lines)
    folder = os.path.join(os.path.dirname(path), "spa-eng")
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "spa.txt"), "w", encoding="utf-8") as f:
        f.write(text)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("spa-eng/spa.txt", text)
        z.writestr("spa-eng/_about.txt", "Tab-delimited bilingual sentence pairs\n")


ARXIV_TERMS = ["cs.CV", "cs.LG", "stat.ML", "cs.AI", "eess.IV", "cs.RO", "cs.CL", "cs.NE",
               "cs.CR", "math.OC", "eess.SP", "cs.GR"]
_ARXIV_TOPIC = {
    "cs.CV": "image segmentation pixel detection visual object camera convolutional",
    "cs.LG": "learning training gradient neural network optimization generalization",
    "stat.ML": "bayesian inference posterior statistical estimator variance kernel",
    "cs.AI": "reasoning agent planning knowledge symbolic logic search",
    "eess.IV": "medical imaging mri reconstruction denoising scan ct",
    "cs.RO": "robot manipulation grasping control navigation trajectory",
    "cs.CL": "language text translation word sentence corpus parsing",
    "cs.NE": "evolutionary spiking neuron genetic population neuromorphic",
    "cs.CR": "attack adversarial privacy security robustness defense",
    "math.OC": "convex optimal convergence constraint stochastic descent",
    "eess.SP": "signal frequency radar channel spectrum audio",
    "cs.GR": "rendering mesh shape graphics geometry 3d",
}
_ARXIV_COMMON = ("we propose a novel method the of and to in that for on with this is our "
                 "results show approach paper model data performance based state art "
                 "experiments datasets proposed using can which framework").split()


def arxiv_frame(rows=6000, duplicates=1500, combos=60):
    """arxiv_data.csv of soumik12345/multi-label-text-classification (v0.2 release): columns
    ``titles``, ``summaries``, ``terms`` (a list's repr, as "['cs.CV', 'cs.LG']"), with
    duplicated titles as in the real file (51,774 rows, ~12,800 duplicates; here ``rows`` and
    ``duplicates``), label sets drawn from ``combos`` combinations of the 12 most frequent
    real terms plus a tail of combinations seen once (which the example filters out). The
    abstracts mix common words with words of their terms' topics."""
    import pandas as pd
    rng = np.random.default_rng(37)
    sets = set()
    while len(sets) < combos:
        k = int(min(3, 1 + rng.poisson(0.7)))
        sets.add(tuple(sorted(rng.choice(ARXIV_TERMS, k, replace=False).tolist())))
    sets = sorted(sets)
    weights = rng.dirichlet(np.ones(len(sets)) * 2.0)
    common = np.array(_ARXIV_COMMON)
    titles, summaries, terms = [], [], []
    for i in range(rows - duplicates):
        if i % 40 == 39:  # a combination seen once
            t = tuple(sorted(rng.choice(ARXIV_TERMS, 4, replace=False).tolist()))
        else:
            t = sets[int(rng.choice(len(sets), p=weights))]
        topic = np.array(" ".join(_ARXIV_TOPIC[x] for x in t).split())
        n = int(rng.integers(80, 200))
        pick = np.where(rng.random(n) < 0.3, topic[rng.integers(0, len(topic), n)],
                        common[rng.integers(0, len(common), n)])
        titles.append("Paper %d on %s" % (i, " ".join(rng.choice(topic, 3).tolist())))
        summaries.append(" ".join(pick.tolist()).capitalize() + ".")
        terms.append(repr(list(t)))
    dup = rng.choice(len(titles), duplicates)
    frame = pd.DataFrame({"titles": titles + [titles[j] for j in dup],
                          "summaries": summaries + [summaries[j] for j in dup],
                          "terms": terms + [terms[j] for j in dup]})
    return frame.sample(frac=1.0, random_state=5).reset_index(drop=True)


def ecg_frame(rows=4998, steps=140, normal=0.58):
    """ecg.csv as pd.read_csv(url, header=None) returns it: 140 float columns (one heartbeat
    each row, roughly in [-5, 5]) and a 0/1 label in column 140 (1 = normal, 58% as in the real
    file). A normal beat is one smooth bump; an abnormal one has a second, shifted bump and
    more noise: the autoencoder's reconstruction error tells them apart."""
    import pandas as pd
    rng = np.random.default_rng(27)
    t = np.linspace(0.0, 1.0, steps)
    label = (rng.random(rows) < normal).astype(np.float64)
    centre = 0.3 + 0.05 * rng.standard_normal((rows, 1))
    beat = 4.0 * np.exp(-((t - centre) / 0.05) ** 2) - 1.0 + 0.8 * np.sin(2 * np.pi * t)
    second = 3.0 * np.exp(-((t - centre - 0.35) / 0.08) ** 2)
    noise = np.where(label[:, None] > 0, 0.15, 0.45) * rng.standard_normal((rows, steps))
    x = beat + (1.0 - label[:, None]) * second + noise
    return pd.DataFrame(np.concatenate([x, label[:, None]], axis=1))


_SPEAKERS = ["ROMEO", "JULIET", "First Citizen", "Second Citizen", "MENENIUS", "BRUTUS",
             "KING RICHARD III", "QUEEN ELIZABETH", "GLOUCESTER", "PETRUCHIO", "ESCALUS", "All"]
_VERSE = ("the my thou thee thy shall lord love heart sweet death night day king good would "
          "come see must father son blood what now then this that with not and but for hath "
          "doth here there upon never ever gentle noble speak heaven earth fair will well").split()


def shakespeare_txt(path, speeches=900):
    """shakespeare.txt of download.tensorflow.org (Karpathy's tiny Shakespeare, the TF text
    generation tutorial): speeches as the real file lays them out -- the speaker's name and a
    colon on a line of its own (ROMEO:, First Citizen:), then 1-3 capitalized lines of verse, a
    blank line between speeches. ~65,000 characters (the real file 1,115,394), the speakers'
    names (upper and mixed case) and the verse words from fixed lists, seeded."""
    rng = np.random.default_rng(41)
    out = []
    for _ in range(speeches):
        lines = [_SPEAKERS[int(rng.integers(len(_SPEAKERS)))] + ":"]
        for _ in range(int(rng.integers(1, 4))):
            words = rng.choice(_VERSE, int(rng.integers(4, 9))).tolist()
            lines.append(" ".join(words).capitalize() + str(rng.choice([",", ".", ";", "!", "?"])))
        out.append("\n".join(lines))
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n\n".join(out) + "\n")
