package dev.belljar.internal.channel;

import dev.belljar.spec.SandboxSpec;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every message crosses the channel's wire format unchanged, whatever its size or content. */
class MessagesTest {

    private static Object roundTrip(Object message) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Messages.send(new DataOutputStream(bytes), message);
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()));
        Object read = Messages.receive(in);
        assertThat(in.read()).as("bytes left after the message").isEqualTo(-1);
        return read;
    }

    @Test
    void runTestKeepsItsIdsPropertiesAndSpec() throws Exception {
        SandboxSpec spec = SandboxSpec.builder().memory("64M").cpu("0.5").hostname("box").build();
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("z.first", "1");
        properties.put("a.second", "ünïcødé ✓");
        properties.put("empty", "");
        String longId = "[engine:junit-jupiter]/[method:" + "x".repeat(70_000) + "()]";

        Messages.RunTest read = (Messages.RunTest) roundTrip(Messages.RunTest.of(longId, "shows ✓", spec, properties));

        assertThat(read.uniqueId()).isEqualTo(longId);
        assertThat(read.displayName()).isEqualTo("shows ✓");
        assertThat(read.systemProperties()).containsExactlyEntriesOf(properties);
        assertThat(TaskRunner.deserialize(read.serializedSpec())).isEqualTo(spec);
    }

    @Test
    void runTaskKeepsItsBytes() throws Exception {
        byte[] task = {0, 1, -1, 127, -128};
        Messages.RunTask read = (Messages.RunTask) roundTrip(new Messages.RunTask(task, Map.of()));
        assertThat(read.task()).containsExactly(task);
        assertThat(read.systemProperties()).isEmpty();
    }

    @Test
    void finishedKeepsStatusFailureAndValue() throws Exception {
        AssertionFailedError failure = new AssertionFailedError("values differ", "expected", "actual");
        Messages.Finished read = (Messages.Finished) roundTrip(new Messages.Finished("t()", Messages.Status.FAILED,
                RemoteThrowable.of(failure), new byte[] {42}));
        assertThat(read.displayName()).isEqualTo("t()");
        assertThat(read.status()).isEqualTo(Messages.Status.FAILED);
        assertThat(read.value()).containsExactly(42);
        Throwable rebuilt = read.failure().rebuild();
        assertThat(rebuilt).isInstanceOf(AssertionFailedError.class).hasMessage("values differ");
        assertThat(((AssertionFailedError) rebuilt).getActual().getValue()).isEqualTo("actual");

        Messages.Finished passed = (Messages.Finished) roundTrip(
                new Messages.Finished("t()", Messages.Status.SUCCESSFUL, null, null));
        assertThat(passed.failure()).isNull();
        assertThat(passed.value()).isNull();
        assertThat(passed.status()).isEqualTo(Messages.Status.SUCCESSFUL);
    }

    @Test
    void failuresAroundTheTestAndRefusalsKeepTheirText() throws Exception {
        Messages.ContainerFailed container = (Messages.ContainerFailed) roundTrip(
                new Messages.ContainerFailed("Outer", RemoteThrowable.of(new IllegalStateException("in @BeforeAll"))));
        assertThat(container.displayName()).isEqualTo("Outer");
        assertThat(container.failure().rebuild()).isInstanceOf(IllegalStateException.class).hasMessage("in @BeforeAll");

        Messages.CannotRun cannotRun = (Messages.CannotRun) roundTrip(new Messages.CannotRun("no such test", null));
        assertThat(cannotRun.reason()).isEqualTo("no such test");
        assertThat(cannotRun.failure()).isNull();
    }

    @Test
    void reportEntriesKeepTheirOrder() throws Exception {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("b", "2");
        values.put("a", "1");
        Messages.ReportEntry read = (Messages.ReportEntry) roundTrip(new Messages.ReportEntry(values));
        assertThat(read.values()).containsExactlyEntriesOf(values);
    }

    @Test
    void signalsWithoutFieldsAreTheirOwnKind() throws Exception {
        assertThat(roundTrip(new Messages.TestStarted())).isInstanceOf(Messages.TestStarted.class);
        assertThat(roundTrip(new Messages.Exiting())).isInstanceOf(Messages.Exiting.class);
        assertThat(roundTrip(new Messages.Detach())).isInstanceOf(Messages.Detach.class);
        assertThat(roundTrip(new Messages.BaselineTaken())).isInstanceOf(Messages.BaselineTaken.class);
    }

    @Test
    void messagesFollowEachOtherOnOneStream() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        Messages.send(out, new Messages.TestStarted());
        Messages.send(out, new Messages.ReportEntry(Map.of("k", "v")));
        Messages.send(out, new Messages.Exiting());
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()));
        assertThat(Messages.receive(in)).isInstanceOf(Messages.TestStarted.class);
        assertThat(((Messages.ReportEntry) Messages.receive(in)).values()).containsEntry("k", "v");
        assertThat(Messages.receive(in)).isInstanceOf(Messages.Exiting.class);
        assertThatThrownBy(() -> Messages.receive(in)).isInstanceOf(EOFException.class);
    }

    @Test
    void aCutOffMessageIsAnEndOfStreamAndAnUnknownTagIsNamed() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Messages.send(new DataOutputStream(bytes), new Messages.ReportEntry(Map.of("key", "value")));
        byte[] cut = Arrays.copyOf(bytes.toByteArray(), bytes.size() - 2);
        assertThatThrownBy(() -> Messages.receive(new DataInputStream(new ByteArrayInputStream(cut))))
                .isInstanceOf(EOFException.class);

        assertThatThrownBy(() -> Messages.receive(new DataInputStream(new ByteArrayInputStream(new byte[] {99}))))
                .isInstanceOf(IOException.class).hasMessageContaining("unknown message tag 99");
        assertThatThrownBy(() -> Messages.send(new DataOutputStream(new ByteArrayOutputStream()), "text"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a channel message");
    }
}
