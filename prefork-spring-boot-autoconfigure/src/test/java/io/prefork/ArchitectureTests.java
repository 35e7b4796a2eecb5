package io.prefork;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiPredicate;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dependency rules of CONVENTIONS.md, checked on the main sources: imports and fully
 * qualified names in code (comments and string literals are ignored).
 */
class ArchitectureTests {

	private static final Path SOURCES = Path.of("src/main/java");

	private static final Pattern COMMENT_OR_LITERAL = Pattern
		.compile("//[^\\n]*|/\\*.*?\\*/|\"(?:\\\\.|[^\"\\\\])*\"|'(?:\\\\.|[^'\\\\])*'", Pattern.DOTALL);

	private static final Pattern PACKAGE = Pattern.compile("^\\s*package\\s+[\\w.]+\\s*;", Pattern.MULTILINE);

	private static final Pattern REFERENCE = Pattern
		.compile("(?<![\\w.])((?:org\\.springframework|io\\.micrometer|jnr|io\\.prefork)(?:\\s*\\.\\s*\\w+)+)");

	private static List<SourceFile> files;

	@BeforeAll
	static void readSources() throws IOException {
		try (Stream<Path> paths = Files.walk(SOURCES)) {
			files = paths.filter((path) -> path.toString().endsWith(".java")).map(SourceFile::read).toList();
		}
	}

	@Test
	void readsTheWholeEngine() {
		assertThat(files).extracting(SourceFile::pkg)
			.contains("io.prefork", "io.prefork.pool", "io.prefork.protocol", "io.prefork.master", "io.prefork.worker",
					"io.prefork.posix", "io.prefork.autoconfigure", "io.prefork.container");
	}

	@Test
	void findsImportsAndQualifiedNamesButNotCommentsOrStrings() {
		String code = "package io.prefork.pool;\nimport jnr.ffi.Pointer;\nimport static io.prefork.posix.Linux.X;\n"
				+ "/** {@link org.springframework.Foo} */ class A { // io.micrometer.core.Meter\n"
				+ "String s = \"org.springframework.Bar\"; io.prefork.master.Master m; }";
		assertThat(SourceFile.references(code)).containsExactlyInAnyOrder("jnr.ffi.Pointer",
				"io.prefork.posix.Linux.X", "io.prefork.master.Master");
	}

	@Test
	void engineUsesNeitherSpringNorMicrometer() {
		Predicate<String> engine = (pkg) -> pkg.equals("io.prefork") || within(pkg, "io.prefork.pool")
				|| within(pkg, "io.prefork.protocol") || within(pkg, "io.prefork.master")
				|| within(pkg, "io.prefork.worker") || within(pkg, "io.prefork.posix")
				|| within(pkg, "io.prefork.scoreboard") || within(pkg, "io.prefork.routing")
				|| within(pkg, "io.prefork.container");
		assertNoViolations("the engine must be Spring-free", engine,
				(pkg, ref) -> ref.startsWith("org.springframework.") || ref.startsWith("io.micrometer."));
	}

	@Test
	void onlyPosixUsesJnr() {
		assertNoViolations("only io.prefork.posix may use jnr", (pkg) -> !within(pkg, "io.prefork.posix"),
				(pkg, ref) -> ref.startsWith("jnr."));
	}

	@Test
	void pureLogicDependsOnlyOnTheBasePackage() {
		assertNoViolations("pool, protocol, routing and container may use only the base package of ours",
				(pkg) -> within(pkg, "io.prefork.pool") || within(pkg, "io.prefork.protocol")
						|| within(pkg, "io.prefork.routing") || within(pkg, "io.prefork.container"),
				(pkg, ref) -> ref.startsWith("io.prefork.") && !packageOf(ref).equals("io.prefork")
						&& !within(packageOf(ref), pkg));
	}

	@Test
	void nothingDependsOnAutoconfigure() {
		assertNoViolations("nothing may use io.prefork.autoconfigure",
				(pkg) -> !within(pkg, "io.prefork.autoconfigure"),
				(pkg, ref) -> within(packageOf(ref), "io.prefork.autoconfigure"));
	}

	private static void assertNoViolations(String rule, Predicate<String> appliesTo,
			BiPredicate<String, String> forbidden) {
		List<String> violations = new ArrayList<>();
		for (SourceFile file : files) {
			if (appliesTo.test(file.pkg())) {
				file.references().stream().filter((ref) -> forbidden.test(file.pkg(), ref))
					.forEach((ref) -> violations.add(file.path() + " uses " + ref));
			}
		}
		assertThat(violations).as(rule).isEmpty();
	}

	private static boolean within(String pkg, String root) {
		return pkg.equals(root) || pkg.startsWith(root + ".");
	}

	// The package of a qualified name: its segments before the first capitalised one.
	private static String packageOf(String reference) {
		List<String> segments = new ArrayList<>();
		for (String segment : reference.split("\\.")) {
			if (Character.isUpperCase(segment.charAt(0))) {
				break;
			}
			segments.add(segment);
		}
		return String.join(".", segments);
	}

	private record SourceFile(Path path, String pkg, Set<String> references) {

		static SourceFile read(Path path) {
			try {
				Path relative = SOURCES.relativize(path.getParent());
				String pkg = relative.toString().replace(relative.getFileSystem().getSeparator(), ".");
				return new SourceFile(SOURCES.relativize(path), pkg, references(Files.readString(path)));
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}

		static Set<String> references(String source) {
			String code = PACKAGE.matcher(COMMENT_OR_LITERAL.matcher(source).replaceAll(" ")).replaceAll(" ");
			Set<String> references = new TreeSet<>();
			Matcher matcher = REFERENCE.matcher(code);
			while (matcher.find()) {
				references.add(matcher.group(1).replaceAll("\\s", ""));
			}
			return references;
		}

	}

}
