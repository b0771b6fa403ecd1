package dev.belljar.bench;

/** The yardstick: a bare JVM start. */
public final class Hello {
    private Hello() {
    }

    public static void main(String[] args) {
        System.out.println("hello");
    }
}
