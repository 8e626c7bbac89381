// Hello: answers GET /hello?name=NAME with {"lang": "java", "hello": NAME} on :8080.
// Only the JDK's own modules (java.base, jdk.httpserver), so it builds offline.
import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

public final class Hello {
    private static String json(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') out.append('\\').append(c);
            else if (c < 0x20) out.append(String.format("\\u%04x", (int) c));
            else out.append(c);
        }
        return out.append('"').toString();
    }

    private static String name(String query) {
        if (query == null) return "";
        for (String pair : query.split("&")) {
            if (pair.startsWith("name=")) return URLDecoder.decode(pair.substring(5), StandardCharsets.UTF_8);
        }
        return "";
    }

    public static void main(String[] args) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(8080), 0);
        server.createContext("/hello", exchange -> {
            String body = "{\"lang\": \"java\", \"hello\": " + json(name(exchange.getRequestURI().getRawQuery()))
                + ", \"runtime\": " + json(System.getProperty("java.version")) + "}";
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream os = exchange.getResponseBody()) {
                os.write(bytes);
            }
        });
        server.start();
    }
}
