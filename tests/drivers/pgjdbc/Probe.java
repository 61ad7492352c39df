// Connects to PostgreSQL with pgjdbc and prints one JSON line saying whether pgjdbc
// connected. See tests/drivers/README.md for the contract and how to build and run it.

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import javax.net.SocketFactory;

public final class Probe {
  /** One probe's outcome: the JSON line and the exit code of the contract. */
  record Result(String line, int code) {}

  public static void main(String[] args) {
    if (args.length == 1 && args[0].equals("lines")) {
      lines();
      return;
    }
    Result result = probe(args);
    System.out.println(result.line());
    System.out.flush();
    System.exit(result.code());
  }

  /**
   * `lines` mode, for test harnesses that would otherwise start a JVM per probe (~1.4 s):
   * each stdin line is USER_HOME, then the arguments of one probe, tab-separated; each gets
   * its JSON line on stdout, with the probe's exit code as an `exit` field. USER_HOME
   * becomes `user.home` (where pgjdbc's LibPQFactory looks for .postgresql/root.crt, read
   * anew for every connection); empty leaves it.
   */
  static void lines() {
    java.io.BufferedReader in = new java.io.BufferedReader(
        new java.io.InputStreamReader(System.in, StandardCharsets.UTF_8));
    try {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        String[] fields = line.split("\t", -1);
        if (!fields[0].isEmpty()) {
          System.setProperty("user.home", fields[0]);
        }
        Result result = probe(java.util.Arrays.copyOfRange(fields, 1, fields.length));
        // The exit code the probe would have had, as one more field.
        String json = result.line();
        System.out.println(
            json.substring(0, json.length() - 1) + ",\"exit\":" + result.code() + "}");
        System.out.flush();
      }
    } catch (IOException e) {
      System.exit(2);
    }
  }

  static Result probe(String[] args) {
    String version;
    try {
      // Read at run time: a compile-time reference would inline the constant into this class.
      version = (String) Class.forName("org.postgresql.util.DriverInfo")
          .getField("DRIVER_VERSION").get(null);
    } catch (ReflectiveOperationException e) {
      return report("unknown", false, "pgjdbc is not on the class path: " + e, 2);
    }
    String url;
    if (args.length == 2 && args[0].equals("string")) {
      url = args[1];
    } else if (args.length == 4 && args[0].equals("verify-full")) {
      url = verifyFullUrl(args[1], args[2], args[3]);
    } else {
      System.err.println("usage: Probe string JDBC_URL | verify-full HOST PORT CAFILE | lines");
      return report(version, false, "bad arguments", 2);
    }
    // Defaults of the contract; a URL parameter of the same name takes precedence.
    Properties props = new Properties();
    props.setProperty("user", "postgres");
    props.setProperty("connectTimeout", "10");
    props.setProperty("loginTimeout", "10");
    props.setProperty("socketTimeout", "10");
    String hostaddr = System.getenv("ROOTCERT_PROBE_HOSTADDR");
    if (hostaddr != null && !hostaddr.isEmpty()) {
      props.setProperty("socketFactory", HostaddrSocketFactory.class.getName());
      props.setProperty("socketFactoryArg", hostaddr);
    }
    try (Connection conn = DriverManager.getConnection(url, props);
        Statement st = conn.createStatement();
        ResultSet rs = st.executeQuery("select 1")) {
      rs.next();
    } catch (SQLException e) {
      return report(version, false, describe(e), 1);
    }
    return report(version, true, null, 0);
  }

  /** The URL a Java user writes for full verification against one root file. */
  static String verifyFullUrl(String host, String port, String caFile) {
    String h = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    return "jdbc:postgresql://" + h + ":" + port + "/postgres?sslmode=verify-full&sslrootcert="
        + URLEncoder.encode(caFile, StandardCharsets.UTF_8);
  }

  /** The message and its causes on one line: pgjdbc's own text often hides the reason. */
  static String describe(Throwable e) {
    StringBuilder out = new StringBuilder(String.valueOf(e.getMessage()));
    Throwable seen = e;
    for (Throwable c = e.getCause(); c != null && c != seen; seen = c, c = c.getCause()) {
      String text = c.getMessage() != null ? c.getMessage() : c.getClass().getName();
      if (out.indexOf(text) < 0) {
        out.append(" <- ").append(c.getClass().getSimpleName()).append(": ").append(text);
      }
    }
    return out.toString().replaceAll("\\s+", " ").trim();
  }

  static Result report(String version, boolean connected, String error, int code) {
    return new Result("{\"client\":\"pgjdbc\",\"version\":" + json(version) + ",\"connected\":"
        + connected + ",\"error\":" + (error == null ? "null" : json(error)) + "}", code);
  }

  static String json(String s) {
    StringBuilder out = new StringBuilder("\"");
    for (char ch : s.toCharArray()) {
      switch (ch) {
        case '"': out.append("\\\""); break;
        case '\\': out.append("\\\\"); break;
        default:
          if (ch < 0x20 || ch == 0x7f) {
            out.append(String.format("\\u%04x", (int) ch));
          } else {
            out.append(ch);
          }
      }
    }
    return out.append('"').toString();
  }

  /**
   * A harness hook like libpq's hostaddr: pgjdbc still verifies the URL's host, but the
   * socket connects to the given address (for hosts such as 10.0.0.5 that are not here).
   */
  public static final class HostaddrSocketFactory extends SocketFactory {
    private final String address;

    public HostaddrSocketFactory(String address) {
      this.address = address;
    }

    @Override
    public Socket createSocket() {
      return new Socket() {
        @Override
        public void connect(SocketAddress endpoint, int timeout) throws IOException {
          int port = ((InetSocketAddress) endpoint).getPort();
          super.connect(new InetSocketAddress(address, port), timeout);
        }
      };
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
      Socket s = createSocket();
      s.connect(new InetSocketAddress(address, port));
      return s;
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress local, int localPort)
        throws IOException {
      return createSocket(host, port);
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
      return createSocket(address, port);
    }

    @Override
    public Socket createSocket(InetAddress host, int port, InetAddress local, int localPort)
        throws IOException {
      return createSocket(address, port);
    }
  }
}
