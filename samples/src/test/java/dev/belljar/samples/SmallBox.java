package dev.belljar.samples;

import dev.belljar.Isolated;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** A sandbox declared once and used by name: 128M of memory and one and a half cores. */
// tag::composed[]
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Isolated(memory = "128M", cpu = "1.5")
@interface SmallBox {
}
// end::composed[]
