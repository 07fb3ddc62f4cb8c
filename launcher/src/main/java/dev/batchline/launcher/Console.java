package dev.batchline.launcher;

import java.io.PrintStream;

/** What the launcher tells the person at the terminal. */
public final class Console {

	private static final PrintStream OUT = System.out;

	private Console() {
	}

	public static void step(String message) {
		OUT.println("==> " + message);
		OUT.flush();
	}

	public static void line(String message) {
		OUT.println(message);
		OUT.flush();
	}

	/** Rewrites the current line (a progress bar). */
	public static void overwrite(String message) {
		OUT.print("\r" + message);
		OUT.flush();
	}

}
