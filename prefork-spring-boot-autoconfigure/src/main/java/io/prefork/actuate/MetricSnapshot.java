package io.prefork.actuate;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.TreeSet;

/**
 * One worker's {@code /actuator/metrics/{name}}, for another worker to merge.
 *
 * @param description the meter's description
 * @param baseUnit its base unit
 * @param measurements value by statistic, e.g. {@code COUNT}
 * @param availableTags values by tag key
 */
record MetricSnapshot(String description, String baseUnit, LinkedHashMap<String, Double> measurements,
		LinkedHashMap<String, TreeSet<String>> availableTags) implements Serializable {
}
