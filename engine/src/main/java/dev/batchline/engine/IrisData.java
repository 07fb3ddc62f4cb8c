package dev.batchline.engine;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The 150 rows of Fisher's Iris data set (1936, as published by the UCI repository),
 * shipped as the resource {@code iris.csv}: the bundled model's training data and the
 * demo's sample batch.
 */
public final class IrisData {

	/** The class names, in the order of the model's class ids. */
	public static final List<String> SPECIES = List.of("setosa", "versicolor", "virginica");

	private IrisData() {
	}

	/**
	 * One measured flower.
	 *
	 * @param features sepal length, sepal width, petal length, petal width (cm)
	 * @param label the species' class id
	 */
	public record Row(float[] features, int label) {
	}

	/** The rows, in the file's order. */
	public static List<Row> rows() {
		try (InputStream in = IrisData.class.getResourceAsStream("/iris.csv")) {
			if (in == null) {
				throw new IllegalStateException("iris.csv is not on the classpath");
			}
			BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
			List<Row> rows = new ArrayList<>(150);
			reader.readLine();
			for (String line = reader.readLine(); line != null; line = reader.readLine()) {
				if (line.isBlank()) {
					continue;
				}
				String[] fields = line.split(",");
				float[] features = new float[4];
				for (int i = 0; i < 4; i++) {
					features[i] = Float.parseFloat(fields[i]);
				}
				rows.add(new Row(features, SPECIES.indexOf(fields[4].strip())));
			}
			return rows;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
