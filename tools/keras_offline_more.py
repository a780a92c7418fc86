"""More offline copies of downloads (tools/keras_offline_data.py is the first set), for the
fourteenth corpus's programs (tools/keras_corpus.md, "Fourteenth corpus"). Same rules:
synthetic data of the real files' layout with a learnable signal, seeded, so both sides of
tools/keras_parity.py read the same bytes; nothing here touches the network.

    cora_tgz(path)           cora.tgz and its extracted cora/{cora.cites,cora.content} (LINQS Cora)
    iris_csv(path, test)     iris_training.csv / iris_test.csv of download.tensorflow.org
    auto_mpg_data(path)      auto-mpg.data (UCI Auto MPG: 398 cars, 8 columns and a quoted name)
    pemsd7_zip(path)         PeMSD7_Full.zip and its PeMSD7_W_228.csv / PeMSD7_V_228.csv beside it
    aclimdb_v1_extras(root)  what the real aclImdb_v1.tar.gz has beyond the harness's aclImdb tree
    california_housing()     scikit-learn's fetch_california_housing() Bunch (fifteenth corpus)
    dogs_vs_cats_train(root) train/{cat,dog}.<i>.jpg as Kaggle's dogs-vs-cats train.zip unzips
                             (the sixteenth corpus's Deep Learning with Python ch. 8)
    celeba_tree(root)        celeba_gan/img_align_celeba/<n>.jpg as the book's gdown + unzip leave it
    petfinder_zip(path)      petfinder_mini.zip and datasets/petfinder-mini/petfinder-mini.csv beside it
    uci_sentiment_tree(root) datasets/sentiment labelled sentences/*_labelled.txt under root, as
                             get_file(..., extract=True, cache_dir='.') leaves UCI's zip
                             (the twenty-second corpus's Gulli et al. ch. 8)
    hotdog_tree(root)        hot-dog-not-hot-dog/{train,test}/{hot_dog,not_hot_dog}/*.jpg as the
                             DLTFpT transfer-learning notebook's wget + tar cells leave it
"""
import io
import os
import tarfile

import numpy as np

CORA_SUBJECTS = {"Case_Based": 298, "Genetic_Algorithms": 418, "Neural_Networks": 818,
                 "Probabilistic_Methods": 426, "Reinforcement_Learning": 217,
                 "Rule_Learning": 180, "Theory": 351}  # the real class sizes (2,708 papers)


def cora_tgz(path, n_cites=5429, words=1433, homophily=0.8):
    """cora.tgz of linqs-data.soe.ucsc.edu: ``cora/cora.content`` (a paper id TAB 1,433 0/1
    word flags TAB the subject, one paper a line) and ``cora/cora.cites`` (cited id TAB citing
    id, sorted by the cited id as in the real file: the keras-io GAT example's
    ``tf.repeat(..., tf.math.bincount(targets))`` relies on it). The real class sizes, 5,429
    citations of which ``homophily`` join papers of one subject; each subject favours its own
    60 words (a paper uses ~18 words, about half of them its subject's). Also writes the
    extracted ``cora/`` folder beside ``path`` (what ``get_file(..., extract=True)`` leaves)."""
    rng = np.random.default_rng(41)
    names = sorted(CORA_SUBJECTS)
    subj = np.concatenate([np.full(CORA_SUBJECTS[s], i) for i, s in enumerate(names)])
    rng.shuffle(subj)
    n = len(subj)
    ids = np.sort(rng.choice(np.arange(35, 1155075), n, replace=False))
    topic = rng.permutation(words)[:60 * len(names)].reshape(len(names), 60)
    feats = np.zeros((n, words), np.int8)
    for i in range(n):
        own = rng.choice(topic[subj[i]], rng.integers(5, 13), replace=False)
        other = rng.choice(words, rng.integers(5, 13), replace=False)
        feats[i, own] = 1
        feats[i, other] = 1
    by_subj = [np.flatnonzero(subj == k) for k in range(len(names))]
    pairs = set()
    while len(pairs) < n_cites:
        a = int(rng.integers(n))
        if rng.random() < homophily:
            b = int(rng.choice(by_subj[subj[a]]))
        else:
            b = int(rng.integers(n))
        if a != b:
            pairs.add((a, b))
    cites = sorted(pairs, key=lambda p: (ids[p[0]], ids[p[1]]))
    content = "".join("%d\t%s\t%s\n" % (ids[i], "\t".join(map(str, feats[i])), names[subj[i]])
                      for i in range(n))
    cites_txt = "".join("%d\t%d\n" % (ids[a], ids[b]) for a, b in cites)
    folder = os.path.join(os.path.dirname(path), "cora")
    os.makedirs(folder, exist_ok=True)
    files = {"cora/cora.content": content, "cora/cora.cites": cites_txt,
             "cora/README": "The Cora dataset (offline synthetic copy)\n"}
    for name, text in files.items():
        with open(os.path.join(os.path.dirname(path), name), "w") as f:
            f.write(text)
    with tarfile.open(path, "w:gz") as tar:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def iris_csv(path, test=False):
    """iris_training.csv (120 rows) or iris_test.csv (30) of download.tensorflow.org: a header
    "N,4,setosa,versicolor,virginica", then four measurements and the class 0-2 a line. The
    rows are Fisher's real 150 flowers (scikit-learn's bundled copy), split 120 / 30 by a
    seeded shuffle (the real split's rows are not bundled)."""
    from sklearn.datasets import load_iris
    data = load_iris()
    order = np.random.default_rng(43).permutation(150)
    rows = order[120:] if test else order[:120]
    lines = ["%d,4,setosa,versicolor,virginica" % len(rows)]
    lines += ["%s,%d" % (",".join("%.1f" % v for v in data.data[i]), data.target[i])
              for i in rows]
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def auto_mpg_data(path, rows=398, missing=6):
    """auto-mpg.data of the UCI repository, in its layout: space-aligned MPG, cylinders,
    displacement, horsepower ("?" in ``missing`` rows, as the real 6), weight, acceleration,
    model year (70-82), origin (1-3), then a TAB and the quoted car name. MPG falls with
    weight and horsepower and rises with the model year, plus noise, as in the real data."""
    rng = np.random.default_rng(47)
    cyl = rng.choice([4, 6, 8], rows, p=[0.51, 0.21, 0.28])
    disp = np.round(cyl * rng.uniform(22, 45, rows))
    hp = np.round(30 + 0.45 * disp + rng.normal(0, 10, rows))
    weight = np.round(1200 + 8 * disp + rng.normal(0, 220, rows))
    accel = np.round(np.clip(24 - hp / 15 + rng.normal(0, 1.5, rows), 8, 25), 1)
    year = rng.integers(70, 83, rows)
    origin = np.where(cyl == 4, rng.choice([1, 2, 3], rows), 1)
    mpg = np.round(np.clip(58 - 0.0065 * weight - 0.04 * hp + 0.75 * (year - 76)
                           + rng.normal(0, 2.2, rows), 9, 47), 1)
    gone = set(rng.choice(rows, missing, replace=False).tolist())
    lines = []
    for i in range(rows):
        h = "?" if i in gone else "%.1f" % hp[i]
        lines.append("%-7.1f%-4d%-11.1f%-11s%-11s%-7.1f%-4d%d\t\"car %d\"" % (
            mpg[i], cyl[i], disp[i], h, "%.1f" % weight[i], accel[i], year[i], origin[i], i))
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def pemsd7_zip(path, stations=228, steps=12672, day=288):
    """PeMSD7_Full.zip of the STGCN repository (the keras-io traffic forecasting example):
    ``PeMSD7_W_228.csv``, the stations' pairwise distances in metres (228 x 228, no header),
    and ``PeMSD7_V_228.csv``, their speeds in mph every 5 minutes (12,672 x 228: 44 weekdays of
    288 steps). Stations lie 300 m apart along 8 corridors (consecutive ids neighbours, as the
    example's chosen roads are), so that each has a dozen neighbours within the example's
    2.6 km edge threshold; a speed is free flow (~65 mph)
    minus morning and evening rush-hour dips that travel along the corridor, plus noise.
    Also writes the two CSVs beside ``path`` (what ``get_file(..., extract=True)`` leaves)."""
    import zipfile
    rng = np.random.default_rng(53)
    idx = np.arange(stations)
    corridor, along = idx // 29, (idx % 29) * 300.0 + rng.uniform(0, 150, stations)
    pos = np.stack([corridor * 6000.0 + rng.normal(0, 100, stations), along], 1)
    dist = np.sqrt(((pos[:, None, :] - pos[None, :, :]) ** 2).sum(-1))
    t = np.arange(steps)
    tod = (t % day) / day
    speeds = np.empty((steps, stations))
    for s in range(stations):
        lag = along[s] / 9000 * 0.03
        dip = (22 * np.exp(-((tod - 0.33 - lag) / 0.04) ** 2)
               + 28 * np.exp(-((tod - 0.72 + lag) / 0.05) ** 2))
        speeds[:, s] = 65 + rng.normal(0, 2) - dip * rng.uniform(0.6, 1.2)
    speeds += rng.normal(0, 2.5, speeds.shape)
    w = "\n".join(",".join("%.1f" % v for v in row) for row in dist) + "\n"
    v = "\n".join(",".join("%.1f" % x for x in row) for row in speeds) + "\n"
    folder = os.path.dirname(path)
    for name, text in (("PeMSD7_W_228.csv", w), ("PeMSD7_V_228.csv", v)):
        with open(os.path.join(folder, name), "w") as f:
            f.write(text)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("PeMSD7_W_228.csv", w)
        z.writestr("PeMSD7_V_228.csv", v)


def aclimdb_v1_extras(root, unsup=200):
    """The parts of the real aclImdb_v1.tar.gz that the TF text-classification tutorial touches
    beyond tools/keras_offline_data.py's aclimdb_tree (which must exist under ``root``):
    ``aclImdb/train/unsup/`` (unlabelled reviews, which the tutorial deletes; the real 50,000)
    and the review it prints, ``aclImdb/train/pos/1181_9.txt``."""
    import keras_offline_data as kod
    rng = np.random.default_rng(59)
    d = os.path.join(root, "aclImdb", "train", "unsup")
    os.makedirs(d, exist_ok=True)
    for i in range(unsup):
        with open(os.path.join(d, "%d_0.txt" % i), "w", encoding="utf-8") as f:
            f.write(kod._review(rng, bool(i % 2)))
    with open(os.path.join(root, "aclImdb", "train", "pos", "1181_9.txt"), "w",
              encoding="utf-8") as f:
        f.write(kod._review(rng, True))


CALIFORNIA_FEATURES = ["MedInc", "HouseAge", "AveRooms", "AveBedrms", "Population", "AveOccup",
                       "Latitude", "Longitude"]


def california_housing(rows=20640):
    """What ``sklearn.datasets.fetch_california_housing()`` returns (a Bunch: ``data`` (20640, 8)
    float64 in the real columns' ranges, ``target`` (20640,) the median house value in
    $100,000s clipped to [0.14999, 5.00001] as in the real data, ``feature_names``,
    ``target_names``, ``DESCR``, ``frame`` None). The value rises with the median income and
    falls with the distance from two coastal centres (Los Angeles, San Francisco), plus noise,
    as the real districts do; the real file is a download the harness cannot make."""
    from sklearn.utils import Bunch
    rng = np.random.default_rng(53)
    inc = np.clip(rng.lognormal(1.26, 0.45, rows), 0.4999, 15.0001)
    age = rng.integers(1, 53, rows).astype(float)
    rooms = np.clip(rng.lognormal(1.66, 0.25, rows) + 0.25 * inc, 0.85, 141.9)
    bedrms = np.clip(rng.normal(1.07, 0.08, rows), 0.33, 34.1) * (1 + 0.02 * rooms)
    pop = np.clip(np.round(rng.lognormal(7.05, 0.72, rows)), 3, 35682).astype(float)
    occup = np.clip(rng.lognormal(1.03, 0.25, rows), 0.69, 1243.3)
    south = rng.random(rows) < 0.57
    lat = np.where(south, rng.normal(34.1, 0.6, rows), rng.normal(38.0, 1.1, rows))
    lon = np.where(south, rng.normal(-118.2, 0.7, rows), rng.normal(-122.0, 0.9, rows))
    lat, lon = np.clip(lat, 32.54, 41.95), np.clip(lon, -124.35, -114.31)
    coast = np.minimum(np.hypot(lat - 34.05, lon + 118.25), np.hypot(lat - 37.77, lon + 122.42))
    value = 0.42 * inc + 1.3 * np.exp(-coast) + 0.004 * age - 0.05 * (occup - 3) \
        + rng.normal(0, 0.45, rows)
    target = np.clip(value, 0.14999, 5.00001)
    data = np.stack([inc, age, rooms, bedrms, pop, occup, lat, lon], axis=1)
    return Bunch(data=data, target=target, frame=None, target_names=["MedHouseVal"],
                 feature_names=list(CALIFORNIA_FEATURES),
                 DESCR=".. _california_housing_dataset:\n\nCalifornia Housing dataset "
                       "(offline stand-in of the harness: synthetic districts)\n")
def dogs_vs_cats_train(root, per_class=2500):
    """``train/cat.<i>.jpg`` and ``train/dog.<i>.jpg``, i < ``per_class``, as Kaggle's
    dogs-vs-cats train.zip unzips into the working folder (the real one: 12,500 a class of
    ~500 x 375 pixels; Deep Learning with Python 2nd ed. ch. 8 copies 0-2499 of each into
    cats_vs_dogs_small/). Pictures of 100-180 x 100-180 pixels, the class signal the colour of
    one ellipse (keras_offline_data.PET_COLOURS), as the harness's PetImages tree."""
    import keras_offline_data as kod
    d = os.path.join(root, "train")
    if os.path.isdir(d):
        return
    os.makedirs(d)
    rng = np.random.default_rng(61)
    for cls, colour in (("cat", kod.PET_COLOURS["Cat"]), ("dog", kod.PET_COLOURS["Dog"])):
        for i in range(per_class):
            h, w = (int(v) for v in rng.integers(100, 181, 2))
            kod._save_jpeg(os.path.join(d, "%s.%d.jpg" % (cls, i)),
                           kod._picture(rng, h, w, colour, 30))


def celeba_tree(root, n=640):
    """``celeba_gan/img_align_celeba/000001.jpg`` ... as Deep Learning with Python 2nd ed.
    ch. 12's gdown + unzip cell leaves them (the real: 202,599 aligned faces of 178 x 218
    pixels). ``n`` pictures of 178 x 218 pixels: a skin-toned ellipse ("a face") on a smooth
    background, the same generator as the harness's other image trees."""
    import keras_offline_data as kod
    d = os.path.join(root, "celeba_gan", "img_align_celeba")
    if os.path.isdir(d):
        return
    os.makedirs(d)
    rng = np.random.default_rng(67)
    for i in range(1, n + 1):
        kod._save_jpeg(os.path.join(d, "%06d.jpg" % i),
                       kod._picture(rng, 218, 178, (225, 180, 150), 25))


def hotdog_tree(root, train=100, test=50):
    """``hot-dog-not-hot-dog/{train,test}/{hot_dog,not_hot_dog}/<i>.jpg`` as the Deep Learning
    Illustrated transfer-learning notebook's wget + tar cells leave them (the real archive: 249
    / 250 pictures a class of ~500 x 400 pixels). Pictures of 150-260 x 150-260 pixels, the
    class signal the colour of one ellipse, the same generator as the other image trees."""
    import keras_offline_data as kod
    top = os.path.join(root, "hot-dog-not-hot-dog")
    if os.path.isdir(top):
        return
    rng = np.random.default_rng(71)
    for split, n in (("train", train), ("test", test)):
        for cls, colour in (("hot_dog", (190, 90, 60)), ("not_hot_dog", (90, 150, 90))):
            d = os.path.join(top, split, cls)
            os.makedirs(d)
            for i in range(n):
                h, w = (int(v) for v in rng.integers(150, 261, 2))
                kod._save_jpeg(os.path.join(d, "%d.jpg" % i), kod._picture(rng, h, w, colour, 30))


PETFINDER_BREEDS = {"Cat": ["Domestic Short Hair", "Domestic Medium Hair", "Tabby",
                            "Domestic Long Hair", "Siamese", "Persian", "Bengal"],
                    "Dog": ["Mixed Breed", "Labrador Retriever", "Shih Tzu", "Poodle",
                            "Terrier", "Golden Retriever", "Beagle", "German Shepherd Dog"]}


def petfinder_frame(rows=11537):
    """The TF feature-columns tutorial's PetFinder mini CSV (the real one: 11,537 pets from
    Kaggle's PetFinder.my competition): its 15 columns with the real value spellings (Type
    Cat/Dog, Breed1 names, Color2 "No Color", Vaccinated "Not Sure", Health "Minor Injury",
    ...), free-text Description, AdoptionSpeed 0-4 of which 4 ("not adopted") ~28% as in the
    real file. Adoption is likelier for young, vaccinated pets with photos and no fee."""
    import pandas as pd
    rng = np.random.default_rng(71)
    typ = rng.choice(["Cat", "Dog"], rows, p=[0.45, 0.55])
    age = np.minimum(rng.geometric(0.12, rows) - 1, 120)
    breed = np.array([rng.choice(PETFINDER_BREEDS[t]) for t in typ])
    colours = ["Black", "Brown", "Golden", "Yellow", "Cream", "Gray", "White"]
    c1 = rng.choice(colours, rows)
    c2 = rng.choice(["No Color"] + colours, rows)
    vacc = rng.choice(["Yes", "No", "Not Sure"], rows, p=[0.4, 0.45, 0.15])
    ster = rng.choice(["Yes", "No", "Not Sure"], rows, p=[0.2, 0.68, 0.12])
    health = rng.choice(["Healthy", "Minor Injury", "Serious Injury"], rows, p=[0.96, 0.035, 0.005])
    fee = np.where(rng.random(rows) < 0.84, 0, rng.choice([50, 100, 150, 200, 300, 500], rows))
    photos = rng.poisson(3.5, rows)
    score = (1.2 - 0.04 * age + 0.5 * (vacc == "Yes") + 0.15 * np.minimum(photos, 8)
             - 0.002 * fee - 0.4 * (health != "Healthy") + 0.3 * (typ == "Cat")
             + rng.normal(0, 0.8, rows))
    adopted = score > np.quantile(score, 0.28)
    speed = np.where(adopted, rng.choice([0, 1, 2, 3], rows, p=[0.04, 0.29, 0.37, 0.30]), 4)
    words = ["friendly", "playful", "shy", "healthy", "cute", "rescued", "needs", "home",
             "loving", "active", "calm", "vaccinated", "kitten", "puppy", "good"]
    desc = [" ".join(rng.choice(words, int(rng.integers(4, 20)))) for _ in range(rows)]
    return pd.DataFrame({
        "Type": typ, "Age": age, "Breed1": breed,
        "Gender": rng.choice(["Male", "Female"], rows),
        "Color1": c1, "Color2": c2,
        "MaturitySize": rng.choice(["Small", "Medium", "Large"], rows, p=[0.22, 0.69, 0.09]),
        "FurLength": rng.choice(["Short", "Medium", "Long"], rows, p=[0.55, 0.37, 0.08]),
        "Vaccinated": vacc, "Sterilized": ster, "Health": health, "Fee": fee,
        "Description": desc, "PhotoAmt": photos, "AdoptionSpeed": speed})


def petfinder_zip(path):
    """``petfinder_mini.zip`` at ``path`` and, as `get_file(..., extract=True,
    cache_dir='.')` leaves it, ``petfinder-mini/petfinder-mini.csv`` beside it; also under
    ``./datasets/`` of the working folder, where the tutorial reads it
    (``datasets/petfinder-mini/petfinder-mini.csv``)."""
    import zipfile
    text = petfinder_frame().to_csv(index=False)
    for folder in (os.path.dirname(path), os.path.join(os.getcwd(), "datasets")):
        os.makedirs(os.path.join(folder, "petfinder-mini"), exist_ok=True)
        with open(os.path.join(folder, "petfinder-mini", "petfinder-mini.csv"), "w") as f:
            f.write(text)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("petfinder-mini/petfinder-mini.csv", text)


def uci_sentiment_tree(root, per_file=1000):
    """UCI's "sentiment labelled sentences" (Kotzias et al.), extracted where
    ``get_file(..., extract=True, cache_dir='.')`` leaves it: ``datasets/sentiment labelled
    sentences/{amazon_cells,imdb,yelp}_labelled.txt`` under ``root``, each ``per_file`` lines of
    a short sentence TAB its 0/1 label, half of each, as the real files (1,000 lines each, a
    readme beside them). A sentence is 4-20 words, one to three of them its label's mood words
    (keras_offline_data's review vocabulary)."""
    import keras_offline_data as kod
    folder = os.path.join(root, "datasets", "sentiment labelled sentences")
    os.makedirs(folder, exist_ok=True)
    rng = np.random.default_rng(42)
    for name in ("amazon_cells", "imdb", "yelp"):
        lines = []
        for i in range(per_file):
            label = i % 2
            words = list(rng.choice(kod._COMMON, int(rng.integers(3, 18))))
            for _ in range(int(rng.integers(1, 4))):
                words.insert(int(rng.integers(0, len(words) + 1)),
                             str(rng.choice(kod._POS if label else kod._NEG)))
            lines.append("%s.\t%d" % (" ".join(words).capitalize(), label))
        order = rng.permutation(per_file)
        with open(os.path.join(folder, name + "_labelled.txt"), "w") as f:
            f.write("\n".join(lines[k] for k in order) + "\n")
    with open(os.path.join(folder, "readme.txt"), "w") as f:
        f.write("Synthetic sentences in the layout of UCI's sentiment labelled sentences.\n")
    return folder
