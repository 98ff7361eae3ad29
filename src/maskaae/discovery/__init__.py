"""Ordered discovery: how many latent dimensions the data needs, decided from a nested auto-encoder.

The paper's mask is trained by gradient on lambda1 recon + lambda2 (1 + omega)^2 + lambda3 binariness, so
the number of dimensions it keeps is where those weighted forces balance, and which ones survive is decided
by the random start (record-2026-12: experiments/README.md, "Why m_A did not follow n"). The ordered variant
removes both:

1. Nested training (Rippel et al. 2014's nested dropout): for a random half of every batch the code is
   truncated after its first k_i dimensions, k_i ~ U{1..m}; the other half keeps all m. The decoder learns
   to reconstruct from any prefix, so the dimensions are ordered by how much they explain and the first
   ones carry the most. This phase trains only the encoder and decoder (Adam, cosine-decayed learning
   rate): a well-converged auto-encoder is what makes the signal sharp (record-2026-12: experiments/README.md).
   Focus (train.discovery_focus, default the last quarter of the phase): a provisional decision k' is
   taken, and from then on the truncated half of every batch draws k_i ~ U{k' - 2 .. k' + 2} (within
   1..m). Under uniform truncations each prefix gets 1/(2m) of the samples, so at large n and m the
   prefixes near the answer stay under-trained and the n-th dimension's share leaks into the (n+1)-th;
   the benchmark's two Gaussian misses (n = 16 at m = 32, n = 20 at m = 64, both n + 1) came from that.
   The window depends only on the provisional answer, never on n or m.
   Reach (train.discovery_reach = r, 2 by default): a preliminary decision k0 halfway to the focus phase, then
   k_i ~ U{1..max(ceil(r k0), k0 + 2, L)} (within 1..m; L = train.discovery_reach_min, 16) until the focus. Under
   U{1..m} the prefixes near the answer get 1/(2m) of the samples each, so how tightly the first dimensions are
   packed depends on m: MNIST's provisional answer grew with it (10, 11, 13, 18 at m = 16, 32, 64, 110); over
   1..2 k0 the range depends on the data's own answer. The minimum keeps a small answer's range from getting so
   narrow that the first prefixes take most of the samples and squeeze a weak real factor (over 1..10, curved3's
   5th dimension fell under the verification's gate); where m <= L the run is the computation without the reach.
   The price: prefixes beyond the range are trained only through the full half, so an answer much above the
   range would be hard to reach; on the benchmark k0 was never below the final answer
   (record-2026-12: experiments/README.md, "The reach" and "The seventh default").
2. A decision: u(k) is the median over samples of the squared reconstruction error from the first k
   dimensions, relative to the data's variance (k = 0..m), on training samples. With u* = min_k>=1 u(k)
   and the total reduction u(0) - u*, the `gain` rule keeps the smallest k after which the next
   two dimensions explain at most `tolerance` (0.5%) of the total each, on average:
       u(k) - u(k + 2) <= 2 * tolerance * (u(0) - u*).
   The first rule, `level`, kept the smallest k within tolerance of the best prefix,
   u(k) - u* <= tolerance * (u(0) - u*); on data with a spectrum rather than an edge (MNIST) it followed the
   floor u*, which falls as m grows, so its answer grew with m (11, 16, 24, 41 at m = 16, 32, 64, 110), where
   the gain rule asks only what the next dimensions add and gave 10-13 (record-2026-12: experiments/README.md).
   The level rule was removed in schema 19 (exact in 0.793 of the benchmark's runs with m >= n, against 0.966
   for the default, results/discovery); its runs and code are at the git tag record-2026-12 (commit 6a19709).
   The median keeps a few badly reconstructed samples from deciding alone; it does not make the answer local:
   on a sphere S^n the benchmark found n + 1 before the focus phase (n since, up to n = 10; 15 for S^14) and on
   a flat torus up to 2n, the coordinates a continuous encoder needs (record-2026-12: experiments/README.md).
   Relative cap (model.discovery_relative_tolerance, default 0.05): at k, the tolerance is at most that
   share of what the k kept dimensions explain on average, (u(0) - u(k)) / k, so the rule stays with the
   data as n grows. A fixed share of the total alone cannot: at n = 40 dimensions 33-40 explain 0.1-0.6%
   of the total each, most under the 0.5% (held-out check, record-2026-12: experiments/README.md: 28
   for n = 32 and 31 for n = 40 without the cap). For n up to about 10 the mean share is 10% or more,
   so the cap is above 0.5% and changes nothing.
3. Verification (train.discovery_verify_steps, default 2,000): the decision k is tested by that many more
   nested steps whose truncated half keeps k - 1 or k dimensions (Adam, cosine from VERIFY_LR_SHARE of the
   phase's learning rate), then the rule again on the new curve: k - 1 when it now answers exactly k - 1 and
   the k-th dimension was borderline (below the gate), else k. At n >= 20 the n-th factor is often split over
   code dimensions n and n + 1 (shares such as 0.21% then 0.84% of the total, then the floor near 0.02%),
   and the rule counts n + 1; training at k - 1 moves a split factor into the first k - 1 dimensions, while
   training at k keeps a use for a real k-th factor (record-2026-12: experiments/verify_probe.py: with k - 2 and k - 1
   instead, the sphere and the hypercube at n = 10 lost a real dimension). One step down at most: an answer
   below k - 1 means other dimensions were squeezed too. Ungated, the steps also took the real but weak 6th
   dimension of the curved maps (1.5-2.6% of the total, 0.5-0.75% after them), trading n + 1 at large n for
   n - 1 elsewhere; the gate (model.discovery_verify_gate, 1%) takes k - 1 only when the candidate's k-th
   dimension explained less than that: the split fragments of the benchmark and the held-out check
   explained 0.2-0.9%. A split can also be lopsided, its larger part second (n = 16, m = 34: 0.14% then
   1.41%); nested training puts real factors in order of what they explain, so a k-th dimension that explains
   more than the (k - 1)-th is borderline too (model.discovery_verify_inversion, inverted_order).
4. The descent (model.discovery_descent_ratio, maskaae/discovery/descent.py): when TwoNN on the training data reads more
   than 1.3 times less than on as many k-dimensional Gaussian samples, rounds of nested steps at exactly k - 1,
   k - 2, .. keep each j whose first j dimensions still reconstruct within 1% of the decision's total of what the
   first k did. A continuous code keeps a
   circle on two coordinates (a flat torus T^n answered up to 2n); the rounds cut it to one. The trigger keeps
   the rounds away from data whose weak last factor they would fold into the others (the curved maps).
5. The mask is then set to ones on the first k dimensions and zeros after them and training continues as
   MaskAAE with that mask (critic and generator on the k kept dimensions).

Nothing here depends on n; `tolerance` is one number for all data (the descent's ratio and tolerance too). The
level rule's 1% was fixed on development probes before the discovery benchmark ran; the gain rule and its 0.5%
were chosen on the benchmark's saved curves and two MNIST curves at m = 64, then checked on MNIST at m = 16, 32
and 110 and on Fashion-MNIST, which played no part in the choice (record-2026-12: experiments/README.md).

The package: rules.py holds the measurements and decisions as functions (the truncations, u(k), the rule, the
windows, the verification's answer, the prefix mask), descent.py the descent, schedule.py the schedule that the
MaskAAE Trainer hands its steps to until the final decision (its phases, its decision steps, the nested step,
and the typed record of what it decided).
"""

from .descent import LOCAL_POINTS, TWO_NN_DISCARD, descend, excess, reference_dimension, triggered, two_nn
from .rules import (CURVE_STATISTICS, FOCUS_HALF_WIDTH, GAIN_WINDOW, THETA_ON, VERIFY_LR_SHARE, candidate_signals,
                    choose_dimension, dimension_share, focus_window, gain_rule, inverted_order, nested_truncation,
                    reach_window, set_prefix_mask, shares, tolerances, unexplained_curve, verified_dimension,
                    verify_window)
from .schedule import DECISION_SAMPLES, OrderedDiscovery, decision_samples, local_dimension, scaled_lengths

__all__ = ["CURVE_STATISTICS", "DECISION_SAMPLES", "FOCUS_HALF_WIDTH", "GAIN_WINDOW", "LOCAL_POINTS",
           "OrderedDiscovery", "THETA_ON", "TWO_NN_DISCARD", "VERIFY_LR_SHARE", "candidate_signals", "choose_dimension",
           "decision_samples", "descend", "dimension_share", "excess", "focus_window", "gain_rule", "inverted_order",
           "local_dimension", "nested_truncation", "reach_window", "reference_dimension",
           "scaled_lengths", "set_prefix_mask", "shares", "tolerances", "triggered", "two_nn", "unexplained_curve",
           "verified_dimension", "verify_window"]
