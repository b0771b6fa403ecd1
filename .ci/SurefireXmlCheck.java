import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * CI: every test case of the given Surefire XML reports carries Belljar's summary line in its
 * system-out ("[belljar] OUTCOME, ..."), where CI systems read a test's accounting.
 * Usage: java .ci/SurefireXmlCheck.java TEST-x.xml ...
 */
public class SurefireXmlCheck {
    public static void main(String[] args) throws Exception {
        List<String> missing = new ArrayList<>();
        int checked = 0;
        for (String file : args) {
            NodeList cases = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                    .parse(Files.newInputStream(Path.of(file))).getElementsByTagName("testcase");
            for (int i = 0; i < cases.getLength(); i++) {
                Element testCase = (Element) cases.item(i);
                NodeList out = testCase.getElementsByTagName("system-out");
                String text = out.getLength() == 0 ? "" : out.item(0).getTextContent();
                checked++;
                if (text.lines().noneMatch(line -> line.matches("\\[belljar\\] [A-Z_]+[ ,].*"))) {
                    missing.add(testCase.getAttribute("classname") + "#" + testCase.getAttribute("name"));
                }
            }
        }
        if (checked == 0 || !missing.isEmpty()) {
            System.err.println("no Belljar summary line in the Surefire XML (system-out) of " + missing
                    + " (" + checked + " test cases checked)");
            System.exit(1);
        }
        System.out.println("Surefire XML: " + checked + " isolated test cases carry their Belljar summary line");
    }
}
