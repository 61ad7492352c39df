// pgjdbc's verdict without a server: the trust file as LibPQFactory loads it (into an
// in-memory JKS), the JDK's PKIX trust manager as JSSE calls it for a TLS server
// (checkServerTrusted with authType UNKNOWN, as for TLS 1.3), then PGjdbcHostnameVerifier
// on the URL host (HOST, or - for verify-ca). Prints "connects" or "refuses: <why>".
// It agrees with the live pgjdbc runs on all 81 matrix cases and the 21 extra cases of
// docs/drivers/pgjdbc.md; src/stack/java/tests/ can dump its cases for it
// (ROOTCERT_JAVA_CASES=DIR).
//
// javac -cp /usr/share/java/postgresql.jar -d OUT tests/drivers/experiments/JdkRules.java
// java -cp OUT:/usr/share/java/postgresql.jar JdkRules TRUST CHAIN.pem HOST|-
//
// Not modelled here: the handshake itself (jdk.tls.disabledAlgorithms, the signature
// algorithms the client offers) and sslmode handling.
import java.io.*;
import java.lang.reflect.Proxy;
import java.security.KeyStore;
import java.security.cert.*;
import java.util.*;
import javax.net.ssl.*;
import org.postgresql.ssl.PGjdbcHostnameVerifier;

public final class JdkRules {
  public static void main(String[] args) throws Exception {
    CertificateFactory cf = CertificateFactory.getInstance("X.509");
    X509Certificate[] chain;
    try (InputStream in = new FileInputStream(args[1])) {
      chain = cf.generateCertificates(in).toArray(new X509Certificate[0]);
    } catch (Exception e) {
      System.out.println("refuses: chain: " + e);
      return;
    }
    X509TrustManager tm;
    try (InputStream in = new FileInputStream(args[0])) {
      KeyStore ks = KeyStore.getInstance("jks");
      ks.load(null, null);
      int i = 0;
      for (Certificate c : cf.generateCertificates(in)) {
        ks.setCertificateEntry("cert" + i++, c);
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
      tmf.init(ks);
      tm = (X509TrustManager) tmf.getTrustManagers()[0];
    } catch (Exception e) {
      System.out.println("refuses: load: " + e);
      return;
    }
    try {
      tm.checkServerTrusted(chain, "UNKNOWN");
    } catch (Exception e) {
      System.out.println("refuses: chain: " + e);
      return;
    }
    if (!args[2].equals("-")) {
      final X509Certificate[] peer = chain;
      SSLSession session = (SSLSession) Proxy.newProxyInstance(
          SSLSession.class.getClassLoader(), new Class<?>[] {SSLSession.class},
          (p, m, a) -> m.getName().equals("getPeerCertificates") ? peer : null);
      java.util.logging.LogManager.getLogManager().reset();
      if (!new PGjdbcHostnameVerifier().verify(args[2], session)) {
        System.out.println("refuses: host name");
        return;
      }
    }
    System.out.println("connects");
  }
}
