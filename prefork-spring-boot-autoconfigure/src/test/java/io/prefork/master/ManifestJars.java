package io.prefork.master;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * Jars holding only a manifest, for tests of what a class path is made of.
 */
final class ManifestJars {

	private ManifestJars() {
	}

	/**
	 * Write a jar.
	 * @param directory where
	 * @param name its path below the directory
	 * @param classPath its manifest's {@code Class-Path}, or {@code null} for none
	 * @return the jar
	 */
	static Path write(Path directory, String name, String classPath) throws IOException {
		Path jar = directory.resolve(name);
		Files.createDirectories(jar.getParent());
		Manifest manifest = new Manifest();
		manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
		if (classPath != null) {
			manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, classPath);
		}
		try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest)) {
			// only the manifest
		}
		return jar;
	}

}
