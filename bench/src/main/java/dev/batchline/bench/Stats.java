package dev.batchline.bench;

import java.util.Arrays;
import java.util.List;

/** Median, spread and percentiles of measured figures. */
record Stats(double median, double min, double max) {

	static Stats of(List<Double> values) {
		double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
		if (sorted.length == 0) {
			return new Stats(Double.NaN, Double.NaN, Double.NaN);
		}
		return new Stats(percentile(sorted, 50), sorted[0], sorted[sorted.length - 1]);
	}

	/** The nearest-rank percentile of sorted values. */
	static double percentile(double[] sorted, double p) {
		if (sorted.length == 0) {
			return Double.NaN;
		}
		int rank = (int) Math.ceil(p / 100.0 * sorted.length);
		return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
	}

	static double percentile(long[] values, double p) {
		return percentile(Arrays.stream(values).mapToDouble((v) -> v).sorted().toArray(), p);
	}

	/** {@code 1,234 (1,200–1,250)} with the given format for each figure. */
	String format(String pattern) {
		if (this.min == this.max) {
			return String.format(pattern, this.median);
		}
		return String.format(pattern + " (" + pattern + "–" + pattern + ")", this.median, this.min, this.max);
	}

}
