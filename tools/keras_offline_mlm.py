"""Offline copies of the data files Machine Learning Mastery's Keras tutorials read from the
working folder (the eighteenth corpus, tools/keras_corpus.md "Eighteenth corpus"). The posts
tell the reader to download each file beside the script; tools/parity_boot/paths.py writes it
there instead. Same rules as tools/keras_offline_data.py: the real files' layout (columns,
row count, number format, class labels), a learnable signal, seeded, so both sides of
tools/keras_parity.py read the same bytes; nothing here touches the network.

    pima_csv(path)        pima-indians-diabetes.csv: 768 rows, 8 measurements, class 0/1 (500/268)
    iris_uci_csv(path)    iris.csv of the UCI repository: Fisher's real 150 flowers, no header,
                          "Iris-setosa" / "Iris-versicolor" / "Iris-virginica"
    sonar_csv(path)       sonar.csv: 208 rows, 60 energies in [0, 1], class R / M (97 / 111)
    ionosphere_csv(path)  ionosphere.csv: 351 rows, 34 radar returns, class g / b (225 / 126)
    airline_csv(path)     airline-passengers.csv: "Month","Passengers", 144 months 1949-1960
    FILES                 file name -> writer, what the bootstrap serves
"""
import numpy as np


def _write(path, lines):
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def _num(v):
    """A value as the UCI files print it: integers bare, others with up to 4 decimals."""
    return "%d" % v if float(v).is_integer() else ("%.4f" % v).rstrip("0")


def pima_csv(path, rows=768, positives=268):
    """The Pima Indians diabetes file (no header): pregnancies, glucose, blood pressure, skin
    fold, insulin, BMI (1 decimal), pedigree (3 decimals), age, then the class. Zeros stand for
    missing measurements as in the real file (skin fold and insulin often). The odds of the
    class rise with glucose, BMI, age and pregnancies; 268 positives as the real file."""
    rng = np.random.default_rng(51)
    preg = np.minimum(rng.poisson(3.8, rows), 17)
    age = np.clip(np.round(21 + rng.gamma(2.0, 6.0, rows) + 1.5 * preg), 21, 81)
    gluc = np.clip(np.round(rng.normal(121, 30, rows)), 44, 199)
    bp = np.clip(np.round(rng.normal(72, 12, rows)), 24, 122)
    skin = np.clip(np.round(rng.normal(29, 10, rows)), 7, 99)
    insulin = np.clip(np.round(rng.gamma(2.0, 75, rows)), 14, 846)
    bmi = np.clip(np.round(rng.normal(32.5, 7, rows), 1), 18.2, 67.1)
    ped = np.clip(np.round(rng.gamma(2.2, 0.21, rows), 3), 0.078, 2.42)
    bp[rng.random(rows) < 0.045] = 0
    skin[rng.random(rows) < 0.3] = 0
    insulin[rng.random(rows) < 0.49] = 0
    bmi[rng.random(rows) < 0.015] = 0
    score = (0.035 * (gluc - 121) + 0.09 * (bmi - 32) + 0.03 * (age - 33) + 0.12 * preg
             + 0.9 * ped + rng.logistic(0, 1, rows))
    y = np.zeros(rows, int)
    y[np.argsort(-score)[:positives]] = 1
    cols = [preg, gluc, bp, skin, insulin]
    lines = [",".join(["%d" % c[i] for c in cols] + ["%.1f" % bmi[i] if bmi[i] else "0",
                                                    "%.3f" % ped[i], "%d" % age[i], "%d" % y[i]])
             for i in range(rows)]
    _write(path, lines)


def iris_uci_csv(path):
    """iris.csv as the tutorials' (UCI iris.data): four measurements and the species name a
    line, no header, the 150 rows in the real order (scikit-learn's bundled copy)."""
    from sklearn.datasets import load_iris
    data = load_iris()
    names = ["Iris-setosa", "Iris-versicolor", "Iris-virginica"]
    _write(path, ["%s,%s" % (",".join("%.1f" % v for v in data.data[i]), names[data.target[i]])
                  for i in range(150)])


def sonar_csv(path, rocks=97, mines=111):
    """The sonar (mines vs rocks) file: 60 band energies in [0, 1] (4 decimals), then R or M;
    the rocks first, then the mines, as the real file. Each return is a smooth spectrum with a
    peak near band 20; a mine's has a second peak near band 40 and less energy below band 10."""
    rng = np.random.default_rng(53)
    bands = np.arange(60)
    lines = []
    for label, n in (("R", rocks), ("M", mines)):
        for _ in range(n):
            c1 = rng.normal(20, 4)
            spec = rng.uniform(0.3, 0.9) * np.exp(-0.5 * ((bands - c1) / rng.uniform(4, 9)) ** 2)
            if label == "M":
                spec += rng.uniform(0.15, 0.6) * np.exp(-0.5 * ((bands - rng.normal(40, 4)) / 5) ** 2)
            else:
                spec += rng.uniform(0.05, 0.2) * np.exp(-0.5 * (bands / 4.0) ** 2)
            spec = np.clip(spec + np.abs(rng.normal(0, 0.04, 60)), 0.0006, 1.0)
            lines.append(",".join("%.4f" % v for v in spec) + "," + label)
    _write(path, lines)


def ionosphere_csv(path, good=225, bad=126):
    """The ionosphere file: 34 radar returns (the first 0/1, the second always 0, the rest in
    [-1, 1] with up to 5 decimals), then g or b. A good return's pulses are autocorrelated
    (a damped cosine over the 16 complex pairs); a bad one's are noise."""
    rng = np.random.default_rng(57)
    y = np.array(["g"] * good + ["b"] * bad)
    rng.shuffle(y)
    k = np.arange(16)
    lines = []
    for lab in y:
        if lab == "g":
            f, d = rng.uniform(0.2, 0.6), rng.uniform(0.05, 0.2)
            re = np.exp(-d * k) * np.cos(f * k) + rng.normal(0, 0.15, 16)
            im = np.exp(-d * k) * np.sin(f * k) + rng.normal(0, 0.15, 16)
            first = 1
        else:
            re, im = rng.uniform(-1, 1, 16), rng.uniform(-1, 1, 16)
            first = int(rng.random() < 0.7)
        vals = np.clip(np.stack([re, im], 1).ravel(), -1, 1)
        lines.append(",".join([str(first), "0"] + [_num(round(v, 5)) for v in vals]) + "," + lab)
    _write(path, lines)


def airline_csv(path):
    """airline-passengers.csv (jbrownlee/Datasets): a header "Month","Passengers", then 144
    quoted months 1949-01 ... 1960-12 and a count in thousands: a growing trend (112 at the
    start, about 430 at the end) times a summer peak, as the real series."""
    rng = np.random.default_rng(59)
    t = np.arange(144)
    season = 1 + 0.18 * np.sin(2 * np.pi * (t % 12 - 3.5) / 12) + 0.06 * np.cos(4 * np.pi * t / 12)
    season = season / season[0]
    v = np.round(112 * np.exp(0.0094 * t) * season * (1 + rng.normal(0, 0.02, 144)))
    lines = ['"Month","Passengers"']
    lines += ['"%d-%02d",%d' % (1949 + i // 12, i % 12 + 1, v[i]) for i in t]
    _write(path, lines)


FILES = {"pima-indians-diabetes.csv": pima_csv, "iris.csv": iris_uci_csv,
         "sonar.csv": sonar_csv, "ionosphere.csv": ionosphere_csv,
         "airline-passengers.csv": airline_csv}
