/**
 * AssertJ assertions on a {@link dev.belljar.SandboxResult}, starting at
 * {@link dev.belljar.assertj.BelljarAssertions#assertThat(dev.belljar.SandboxResult)}. AssertJ is an
 * optional dependency of Belljar: nothing outside this package refers to it.
 */
package dev.belljar.assertj;
