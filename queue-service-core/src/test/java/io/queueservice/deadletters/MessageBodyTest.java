package io.queueservice.deadletters;

import static org.assertj.core.api.Assertions.assertThat;

import io.queueservice.deadletters.MessageBody.Encoding;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class MessageBodyTest {
    @Test
    void jsonIsShownAsText() {
        MessageBody b = MessageBody.of("{\"a\":\"é\"}".getBytes(StandardCharsets.UTF_8), "application/json", null);

        assertThat(b.encoding()).isEqualTo(Encoding.TEXT);
        assertThat(b.data()).isEqualTo("{\"a\":\"é\"}");
        assertThat(b.truncated()).isFalse();
        assertThat(b.size()).isEqualTo(10);
    }

    @Test
    void bytesThatAreNotUtf8AreBase64() {
        byte[] bytes = {(byte) 0xff, 0x00, 0x10};
        MessageBody b = MessageBody.of(bytes, null, null);

        assertThat(b.encoding()).isEqualTo(Encoding.BASE64);
        assertThat(Base64.getDecoder().decode(b.data())).isEqualTo(bytes);
    }

    @Test
    void aBinaryTypeOrAContentEncodingIsBase64EvenWhenTheBytesAreText() {
        byte[] text = "hello".getBytes(StandardCharsets.UTF_8);

        assertThat(MessageBody.of(text, "application/octet-stream", null).encoding())
                .isEqualTo(Encoding.BASE64);
        assertThat(MessageBody.of(text, "text/plain", "gzip").encoding()).isEqualTo(Encoding.BASE64);
        assertThat(MessageBody.of(text, "text/plain; charset=utf-8", null).encoding())
                .isEqualTo(Encoding.TEXT);
    }

    @Test
    void aNulCharacterMakesItBase64() {
        assertThat(MessageBody.of(new byte[] {'a', 0, 'b'}, null, null).encoding())
                .isEqualTo(Encoding.BASE64);
    }

    @Test
    void aLargeBodyIsCutAt64KiBOnAWholeCharacter() {
        // 'a' then 2-byte characters: byte 65536 falls in the middle of one.
        String big = "a" + "é".repeat(40_000);
        byte[] bytes = big.getBytes(StandardCharsets.UTF_8);

        MessageBody b = MessageBody.of(bytes, "text/plain", null);

        assertThat(b.encoding()).isEqualTo(Encoding.TEXT);
        assertThat(b.truncated()).isTrue();
        assertThat(b.size()).isEqualTo(bytes.length);
        assertThat(b.data().getBytes(StandardCharsets.UTF_8).length).isEqualTo(MessageBody.MAX_BYTES - 1);
        assertThat(big).startsWith(b.data());
    }

    @Test
    void aLargeBinaryBodyIsCutTo64KiBOfBase64edBytes() {
        byte[] bytes = new byte[100_000];
        bytes[0] = (byte) 0xff;

        MessageBody b = MessageBody.of(bytes, null, null);

        assertThat(b.encoding()).isEqualTo(Encoding.BASE64);
        assertThat(b.truncated()).isTrue();
        assertThat(Base64.getDecoder().decode(b.data())).hasSize(MessageBody.MAX_BYTES);
    }
}
