package dev.batchline.testsupport;

import java.util.ArrayList;
import java.util.List;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

/**
 * Checks that a service's packages are floors: each top-level package under the service's
 * base package (with its subpackages) may use the floors below it, never one above. A
 * test of each service names its floors from the bottom up:
 *
 * <pre>
 * Floors.of("dev.batchline.api", "system", "model", "job", "rest").assertNoUpwardImports();
 * </pre>
 *
 * Every package of the service must be named, so a new package has to be given its floor.
 */
public final class Floors {

	private final String basePackage;

	private final List<String> floors;

	private Floors(String basePackage, List<String> floors) {
		this.basePackage = basePackage;
		this.floors = floors;
	}

	/**
	 * The floors of a service.
	 * @param basePackage the service's base package, e.g. {@code dev.batchline.api}
	 * @param bottomUp the top-level packages under it, from the lowest floor up
	 * @return the floors
	 */
	public static Floors of(String basePackage, String... bottomUp) {
		return new Floors(basePackage, List.of(bottomUp));
	}

	/**
	 * Fails with every dependency that runs up a floor, and with every class in a package
	 * that is on no floor (classes directly in the base package, such as the application
	 * class, stand above every floor).
	 */
	public void assertNoUpwardImports() {
		JavaClasses classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
			.importPackages(this.basePackage);
		if (classes.isEmpty()) {
			throw new AssertionError("No classes found in " + this.basePackage);
		}
		List<String> problems = new ArrayList<>();
		for (JavaClass type : classes) {
			int from = floor(type.getPackageName());
			if (from == -2) {
				problems
					.add(type.getName() + " is in a package on no floor; name it in the floors of " + this.basePackage);
				continue;
			}
			for (Dependency dependency : type.getDirectDependenciesFromSelf()) {
				JavaClass target = dependency.getTargetClass();
				int to = floor(target.getPackageName());
				if (to >= 0 && from >= 0 && to > from) {
					problems.add(dependency.getDescription() + " (floor '" + this.floors.get(from) + "' uses '"
							+ this.floors.get(to) + "', which is above it)");
				}
			}
		}
		if (!problems.isEmpty()) {
			throw new AssertionError(problems.size() + " dependencies run up a floor in " + this.basePackage + ":\n"
					+ String.join("\n", problems.stream().distinct().toList()));
		}
	}

	/**
	 * The floor of a package: its index, -1 for the base package itself (above all) or a
	 * package outside the base, -2 for a package under the base on no floor.
	 */
	private int floor(String packageName) {
		if (packageName.equals(this.basePackage) || !packageName.startsWith(this.basePackage + ".")) {
			return -1;
		}
		String rest = packageName.substring(this.basePackage.length() + 1);
		String top = (rest.indexOf('.') >= 0) ? rest.substring(0, rest.indexOf('.')) : rest;
		int index = this.floors.indexOf(top);
		return (index >= 0) ? index : -2;
	}

}
