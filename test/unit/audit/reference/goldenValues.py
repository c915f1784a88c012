"""Slow high-precision reference values for the audit-metric tests (run with mpmath).

Usage: /usr/bin/python3 test/unit/audit/reference/goldenValues.py
Prints JSON; the tests hard-code these numbers. Everything is computed at 50 digits from
the definitions, independently of the TypeScript code:
- Owen's T by direct quadrature of its defining integral (Owen 1956);
- the skew-normal log-CDF by quadrature of the density 2 phi(t) Phi(alpha t) (Azzalini 1985);
- the one-run epsilon lower bound by the Appendix D code of Steinke, Nasr & Jagielski
  (NeurIPS 2023), with exact binomial probabilities.
"""
import json
import mpmath as mp

mp.mp.dps = 50


def owens_t(h, a):
    h, a = mp.mpf(h), mp.mpf(a)
    return mp.quad(lambda x: mp.exp(-h * h * (1 + x * x) / 2) / (1 + x * x), [0, a]) / (2 * mp.pi)


def skew_normal_log_cdf(z, alpha):
    z, alpha = mp.mpf(z), mp.mpf(alpha)
    dens = lambda t: 2 * mp.npdf(t) * mp.ncdf(alpha * t)
    return mp.log(mp.quad(dens, [-mp.inf, z - 10, z - 1, z]))


def p_value_dp_audit(m, r, v, eps, delta):
    q = 1 / (1 + mp.exp(-mp.mpf(eps)))
    pmf = [mp.binomial(r, k) * q**k * (1 - q) ** (r - k) for k in range(r + 1)]
    beta = mp.fsum(pmf[v:])
    alpha = mp.mpf(0)
    s = mp.mpf(0)
    for i in range(1, v + 1):
        s += pmf[v - i]
        if s > i * alpha:
            alpha = s / i
    return min(beta + alpha * delta * 2 * m, 1)


def get_eps_audit(m, r, v, delta, p):
    eps_min, eps_max = mp.mpf(0), mp.mpf(1)
    while p_value_dp_audit(m, r, v, eps_max, delta) < p:
        eps_max += 1
    for _ in range(30):
        eps = (eps_min + eps_max) / 2
        if p_value_dp_audit(m, r, v, eps, delta) < p:
            eps_min = eps
        else:
            eps_max = eps
    return eps_min


out = {
    "owensT": [[h, a, float(owens_t(h, a))] for h, a in [(0.5, 2), (1, 2), (0.5, 5), (3, 10), (0.25, 1)]],
    "normalLogCdf": [[x, float(mp.log(mp.ncdf(x)))] for x in [-1.96, -5, -10, -40, -300, 3]],
    "skewNormalLogCdf": [
        [z, a, float(skew_normal_log_cdf(z, a))]
        for z, a in [(-1, 3), (-2.2, 3), (-3, 3), (-6, 1), (-4, -2), (0.5, -1.5), (1.2, 4)]
    ],
    "pValue": [
        [m, r, v, eps, delta, float(p_value_dp_audit(m, r, v, eps, delta))]
        for m, r, v, eps, delta in [(1000, 100, 90, 1, 0), (1000, 100, 90, 1, 1e-5), (100, 100, 60, 0.2, 1e-3)]
    ],
    "epsilonLowerBound": [
        [m, r, v, delta, float(get_eps_audit(m, r, v, delta, mp.mpf("0.05")))]
        for m, r, v, delta in [
            (1000, 100, 100, 0),
            (1000, 100, 100, 1e-5),
            (1000, 1000, 700, 1e-5),
            (1000, 1000, 700, 0),
            (10000, 500, 450, 1e-5),
            (100, 100, 50, 1e-5),
        ]
    ],
}
print(json.dumps(out, indent=1))
