package org.spineoutcomes.producer.simulate;

/**
 * A normal variable rounded to the nearest integer and clipped to [lo, hi], as integer scores
 * such as pain NRS are. Rounding is symmetric but clipping is not, so the mean of the reported
 * scores differs from the latent mean (for a latent N(3.5, 2.9) clipped at 0 by about +0.1).
 * {@link #latentMeanFor} finds the latent mean whose reported mean is the configured one.
 */
final class RoundedNormal {
    private RoundedNormal() {}

    /** Standard normal CDF via erfc, Abramowitz and Stegun 7.1.26 (absolute error below 1.5e-7). */
    static double cdf(double z) {
        double x = Math.abs(z) / Math.sqrt(2);
        double t = 1 / (1 + 0.3275911 * x);
        double poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
        double erfc = poly * Math.exp(-x * x);
        return z >= 0 ? 1 - erfc / 2 : erfc / 2;
    }

    /** E[clip(round(X), lo, hi)] for X ~ N(mu, sigma). */
    static double reportedMean(double mu, double sigma, int lo, int hi) {
        double mean = 0;
        for (int k = lo; k <= hi; k++) {
            double upper = k == hi ? 1 : cdf((k + 0.5 - mu) / sigma);
            double lower = k == lo ? 0 : cdf((k - 0.5 - mu) / sigma);
            mean += k * (upper - lower);
        }
        return mean;
    }

    /** The latent mean mu with reportedMean(mu, sigma, lo, hi) = target (bisection; the map is increasing). */
    static double latentMeanFor(double target, double sigma, int lo, int hi) {
        if (!(target > lo && target < hi)) throw new IllegalArgumentException("target mean " + target + " must lie strictly inside (" + lo + ", " + hi + ")");
        double a = lo - 10 * sigma, b = hi + 10 * sigma;
        for (int i = 0; i < 200; i++) {
            double m = (a + b) / 2;
            if (reportedMean(m, sigma, lo, hi) < target) a = m; else b = m;
        }
        return (a + b) / 2;
    }

    /** One draw of the reported integer from a latent value. */
    static int report(double latent, int lo, int hi) {
        return (int) Math.max(lo, Math.min(hi, Math.round(latent)));
    }
}
