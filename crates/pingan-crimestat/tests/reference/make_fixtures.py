#!/usr/bin/env python3
"""Reference outputs for pingan-crimestat' agreement tests.

Generates seeded data, runs the tools analysts use and writes JSON fixtures to
../fixtures/ (the Rust tests read them; they never call Python):

  knox_pointpats.json  pointpats.spacetime.Knox counts (ns, nt, nst, pairs, expected)
  gistar_esda.json     esda.G_Local(star=1.0) z-scores (binary and row-standardised weights)
  kde_sklearn.json     sklearn.neighbors.KernelDensity (gaussian, exact) and scipy gaussian_kde

Setup:  python3 -m venv /tmp/pa-venv && /tmp/pa-venv/bin/pip install numpy scipy scikit-learn \
        esda pointpats libpysal
Run:    /tmp/pa-venv/bin/python make_fixtures.py
        [--anchor-inputs DIR]  also dump analytics_anchors.py's incident sets for the bench
"""
import argparse
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "fixtures")


def points(n, seed, side=3000.0):
    rng = np.random.default_rng(seed)
    k = n // 2
    hot = np.array([800.0, 1900.0]) + rng.normal(size=(k, 2)) * 150.0
    bg = rng.uniform(0, side, size=(n - k, 2))
    xy = np.clip(np.vstack([hot, bg]), 0, side - 1e-6)
    # Whole seconds, so that pingan's one-second time resolution is exact here.
    t = np.floor(rng.uniform(0, 200 * 86400, n)) / 86400.0
    nr = n // 10  # near repeats
    par = rng.integers(n, size=nr)
    xy = np.vstack([xy, np.clip(xy[par] + rng.normal(0, 30, size=(nr, 2)), 0, side - 1e-6)])
    t = np.concatenate([t, t[par] + np.floor(rng.exponential(2.0 * 86400, nr)) / 86400.0])
    return np.round(xy, 3), t


def knox_fixture():
    from pointpats.spacetime import Knox
    xy, t = points(700, 11)
    cases = []
    for delta, tau in [(100.0, 7.0), (250.0, 3.0), (50.0, 14.0)]:
        np.random.seed(0)
        k = Knox(xy, t.reshape(-1, 1), delta=delta, tau=tau, permutations=0)
        o = np.asarray(k.observed, dtype=float)
        cases.append({"delta": delta, "tau": tau, "nst": float(k.nst), "ns": float(o[0, 0] + o[0, 1]),
                      "nt": float(o[0, 0] + o[1, 0]), "pairs": float(o.sum()),
                      "observed": o.tolist(), "expected": np.asarray(k.expected, dtype=float).tolist(),
                      "p_poisson": float(k.p_poisson)})
    return {"x": xy[:, 0].tolist(), "y": xy[:, 1].tolist(), "t_days": t.tolist(), "cases": cases}


def gistar_fixture():
    import libpysal
    from esda import G_Local
    xy, _ = points(1500, 12)
    nb, cell = 30, 100.0
    h, _, _ = np.histogram2d(xy[:, 1], xy[:, 0], bins=nb, range=[[0, nb * cell], [0, nb * cell]])
    y = h.ravel()
    w = libpysal.weights.lat2W(nb, nb, rook=False)
    gb = G_Local(y, w, transform="B", star=1.0, permutations=999, seed=0)
    w = libpysal.weights.lat2W(nb, nb, rook=False)
    gr = G_Local(y, w, transform="R", star=1.0, permutations=999, seed=0)
    return {"nx": nb, "ny": nb, "cell": cell, "counts": y.tolist(), "z_binary": gb.Zs.tolist(),
            "z_row_standardised": gr.Zs.tolist(), "p_sim_binary": gb.p_sim.tolist()}


def kde_fixture():
    from scipy.stats import gaussian_kde
    from sklearn.neighbors import KernelDensity
    xy, _ = points(400, 13)
    nx, ny, cell, bw = 40, 30, 75.0, 120.0
    cx = (np.arange(nx) + 0.5) * cell
    cy = (np.arange(ny) + 0.5) * cell
    gx, gy = np.meshgrid(cx, cy)
    g = np.column_stack([gx.ravel(), gy.ravel()])
    dens = np.exp(KernelDensity(bandwidth=bw, kernel="gaussian", rtol=0.0, atol=0.0).fit(xy).score_samples(g))
    # scipy with an isotropic covariance of bw^2: pass the data whitened so the factor is exact.
    kde = gaussian_kde(xy.T, bw_method=1.0)
    kde.set_bandwidth(bw_method=1.0)
    kde._data_covariance = np.eye(2) * bw * bw  # noqa: SLF001 -- force an isotropic kernel
    kde.covariance = kde._data_covariance
    kde.cho_cov = np.linalg.cholesky(kde.covariance)
    kde.log_det = 2 * np.log(np.diag(kde.cho_cov)).sum()
    dens_scipy = kde(g.T)
    return {"x": xy[:, 0].tolist(), "y": xy[:, 1].tolist(), "nx": nx, "ny": ny, "cell": cell, "bandwidth": bw,
            "sklearn": dens.tolist(), "scipy": dens_scipy.tolist()}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--anchor-inputs", help="directory for the anchor's incidents_N.csv files")
    a = ap.parse_args()
    os.makedirs(OUT, exist_ok=True)
    for name, fn in [("knox_pointpats", knox_fixture), ("gistar_esda", gistar_fixture), ("kde_sklearn", kde_fixture)]:
        with open(os.path.join(OUT, f"{name}.json"), "w") as f:
            json.dump(fn(), f)
        print("wrote", name)
    if a.anchor_inputs:
        sys.path.insert(0, "/work/shared/bench")
        from analytics_anchors import incidents
        os.makedirs(a.anchor_inputs, exist_ok=True)
        for n in (5000, 20000, 50000):
            xy, t = incidents(n, 7)
            np.savetxt(os.path.join(a.anchor_inputs, f"incidents_{n}.csv"), np.column_stack([xy, t]),
                       delimiter=",", header="x,y,t_days", comments="", fmt="%.9f")
        print("wrote anchor inputs to", a.anchor_inputs)


if __name__ == "__main__":
    main()
