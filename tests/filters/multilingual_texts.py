"""Texts in ten languages for the per-language tests: clean prose, and the garbage pages it is not.

All of it is our own writing (a small-town library, a market, the weather): paragraphs one would
keep in a corpus, and the three kinds of page a crawl is full of (one line repeated, a list of
links, a navigation menu), built from the same languages' words.
"""

from __future__ import annotations

PROSE = {
    "de": (
        "Die Stadtbibliothek hat nach einem langen Umbau wieder geöffnet. Die neuen Räume sind hell, "
        "und an den großen Fenstern stehen Tische, an denen man in Ruhe lesen und arbeiten kann.\n"
        "Besonders beliebt ist die Abteilung für Kinder. Dort gibt es jeden Mittwoch eine Vorlesestunde, "
        "bei der Freiwillige aus der Nachbarschaft Geschichten vorlesen und mit den Kindern über die Bücher "
        "sprechen.\n"
        "Die Leiterin der Bibliothek erklärte, dass der Bestand in den letzten Jahren stark gewachsen sei. "
        "Neben Romanen und Sachbüchern kann man nun auch Brettspiele, Noten und Werkzeuge ausleihen.\n"
        "Für die Zukunft plant das Team Kurse für ältere Menschen, die den Umgang mit dem Computer lernen "
        "möchten. Die Anmeldung ist kostenlos und erfolgt direkt an der Information im Erdgeschoss."
    ),
    "fr": (
        "La bibliothèque municipale a rouvert ses portes après de longs travaux. Les nouvelles salles sont "
        "lumineuses et de grandes tables ont été installées près des fenêtres pour lire et travailler au calme.\n"
        "Le coin des enfants connaît un grand succès. Chaque mercredi, des bénévoles du quartier viennent "
        "raconter des histoires et discuter des livres avec les plus jeunes.\n"
        "La directrice explique que les collections ont beaucoup grandi ces dernières années. En plus des romans "
        "et des documentaires, il est désormais possible d'emprunter des jeux de société, des partitions et "
        "même des outils.\n"
        "L'équipe prépare aussi des ateliers pour les personnes âgées qui souhaitent apprendre à se servir d'un "
        "ordinateur. L'inscription est gratuite et se fait directement à l'accueil du rez-de-chaussée."
    ),
    "es": (
        "La biblioteca municipal volvió a abrir sus puertas después de una larga reforma. Las nuevas salas son "
        "luminosas y junto a las ventanas hay mesas grandes donde los vecinos pueden leer y estudiar tranquilos.\n"
        "La sección infantil se ha convertido en la favorita de muchas familias. Todos los miércoles, "
        "voluntarios del barrio cuentan historias y conversan con los niños sobre los libros que eligieron.\n"
        "La directora explicó que la colección creció mucho durante los últimos años. Además de novelas y "
        "ensayos, ahora también se prestan juegos de mesa, partituras y herramientas para el hogar.\n"
        "El equipo prepara talleres para personas mayores que quieran aprender a usar una computadora. "
        "La inscripción es gratuita y se realiza directamente en el mostrador de la planta baja."
    ),
    "ru": (
        "Городская библиотека снова открылась после долгого ремонта. Новые залы стали светлыми, а у больших окон "
        "поставили столы, за которыми можно спокойно читать и работать.\n"
        "Особенно популярен детский отдел. Каждую среду волонтёры из соседних домов читают детям сказки и "
        "обсуждают с ними прочитанные книги.\n"
        "Директор библиотеки рассказала, что за последние годы фонд заметно вырос. Кроме романов и научных книг, "
        "теперь можно взять на время настольные игры, ноты и даже инструменты для дома.\n"
        "Сотрудники также готовят занятия для пожилых людей, которые хотят научиться пользоваться компьютером. "
        "Запись бесплатная, и она проходит прямо у стойки информации на первом этаже."
    ),
    "ar": (
        "أعادت المكتبة العامة في المدينة فتح أبوابها بعد أعمال تجديد طويلة. أصبحت القاعات الجديدة واسعة ومضيئة، "
        "ووضعت طاولات كبيرة قرب النوافذ حتى يتمكن الزوار من القراءة والعمل في هدوء.\n"
        "يحظى قسم الأطفال بإقبال كبير من العائلات. في كل يوم أربعاء يأتي متطوعون من الحي ليقرؤوا القصص على "
        "الصغار ويتحدثوا معهم عن الكتب التي اختاروها.\n"
        "وقالت مديرة المكتبة إن عدد الكتب زاد كثيرا خلال السنوات الماضية. وإلى جانب الروايات والكتب العلمية، "
        "يمكن الآن استعارة الألعاب والنوتات الموسيقية وبعض الأدوات المنزلية.\n"
        "ويعمل الفريق على تنظيم دورات لكبار السن الذين يرغبون في تعلم استخدام الحاسوب. التسجيل مجاني ويتم "
        "مباشرة عند مكتب الاستقبال في الطابق الأرضي."
    ),
    "hi": (
        "शहर का सार्वजनिक पुस्तकालय लंबे नवीनीकरण के बाद फिर से खुल गया है। नए कमरे बहुत रोशन हैं और बड़ी "
        "खिड़कियों के पास मेज़ें रखी गई हैं, जहाँ लोग शांति से पढ़ और काम कर सकते हैं।\n"
        "बच्चों का विभाग सबसे ज़्यादा लोकप्रिय है। हर बुधवार को मोहल्ले के स्वयंसेवक बच्चों को कहानियाँ सुनाते हैं "
        "और उनके साथ किताबों पर बात करते हैं।\n"
        "पुस्तकालय की प्रमुख ने बताया कि पिछले कुछ वर्षों में किताबों का संग्रह काफ़ी बढ़ा है। उपन्यासों और "
        "ज्ञान की किताबों के अलावा अब खेल, संगीत की किताबें और घर के औज़ार भी उधार लिए जा सकते हैं।\n"
        "टीम बुज़ुर्गों के लिए कंप्यूटर सीखने की कक्षाएँ भी शुरू करने वाली है। पंजीकरण मुफ़्त है और यह भूतल पर "
        "सूचना काउंटर पर होता है।"
    ),
    "zh": (
        "经过一年多的装修，市图书馆终于重新开放了。新的阅览室宽敞明亮，靠窗的地方摆放了很多大桌子，"
        "读者可以在这里安静地看书和工作。\n"
        "儿童阅读区是最受欢迎的地方。每个星期三，附近社区的志愿者都会来给孩子们讲故事，"
        "还会和他们一起讨论自己喜欢的书。\n"
        "图书馆的负责人介绍说，这几年馆里的藏书增加了很多。除了小说和科普读物以外，"
        "现在读者还可以借到桌游、乐谱，甚至一些家用工具。\n"
        "工作人员还准备为老年人开设电脑学习班，帮助他们学会上网和使用手机。报名是免费的，"
        "有兴趣的读者可以直接到一楼的服务台登记。"
    ),
    "ja": (
        "市立図書館が長い改装工事を終えて、ふたたび開館しました。新しい閲覧室はとても明るく、"
        "大きな窓のそばには静かに本を読んだり仕事をしたりできる机が並んでいます。\n"
        "特に人気があるのは子ども向けのコーナーです。毎週水曜日には近所のボランティアが絵本を読み聞かせ、"
        "子どもたちと一緒に好きな本について話し合っています。\n"
        "館長によると、ここ数年で蔵書の数は大きく増えました。小説や専門書のほかに、"
        "ボードゲームや楽譜、家庭で使う道具まで借りられるようになったそうです。\n"
        "職員は、パソコンの使い方を学びたい高齢者のための講座も準備しています。"
        "申し込みは無料で、一階の案内カウンターで受け付けています。"
    ),
    "ko": (
        "시립 도서관이 오랜 공사를 마치고 다시 문을 열었다. 새로 꾸민 열람실은 아주 밝고, 큰 창문 옆에는 "
        "조용히 책을 읽거나 일을 할 수 있는 넓은 책상이 놓여 있다.\n"
        "가장 인기가 많은 곳은 어린이 자료실이다. 매주 수요일에는 동네 자원봉사자들이 아이들에게 동화를 "
        "읽어 주고, 함께 좋아하는 책에 대해 이야기를 나눈다.\n"
        "도서관장은 지난 몇 년 동안 소장 도서가 크게 늘었다고 설명했다. 소설과 전문 서적뿐 아니라 이제는 "
        "보드게임과 악보, 집에서 쓰는 공구까지 빌릴 수 있다.\n"
        "직원들은 컴퓨터 사용법을 배우고 싶은 어르신들을 위한 강좌도 준비하고 있다. 신청은 무료이며 "
        "일 층 안내 데스크에서 바로 할 수 있다."
    ),
    "th": (
        "ห้องสมุดประจำเมืองเปิดให้บริการอีกครั้งหลังจากปิดปรับปรุงเป็นเวลานาน ห้องอ่านหนังสือใหม่สว่างและกว้างขวาง "
        "มีโต๊ะตัวใหญ่วางอยู่ริมหน้าต่างเพื่อให้ผู้คนได้อ่านหนังสือและทำงานอย่างสงบ\n"
        "มุมหนังสือสำหรับเด็กได้รับความนิยมมากที่สุด ทุกวันพุธจะมีอาสาสมัครในชุมชนมาเล่านิทานให้เด็กฟัง "
        "และพูดคุยกับเด็กเกี่ยวกับหนังสือที่พวกเขาชอบ\n"
        "ผู้อำนวยการห้องสมุดเล่าว่าในช่วงไม่กี่ปีที่ผ่านมาจำนวนหนังสือเพิ่มขึ้นมาก นอกจากนวนิยายและหนังสือความรู้แล้ว "
        "ตอนนี้ยังสามารถยืมเกมกระดาน โน้ตเพลง และเครื่องมือสำหรับใช้ในบ้านได้ด้วย\n"
        "เจ้าหน้าที่กำลังเตรียมจัดอบรมการใช้คอมพิวเตอร์สำหรับผู้สูงอายุที่อยากเรียนรู้ การสมัครไม่มีค่าใช้จ่าย "
        "และสามารถลงชื่อได้ที่เคาน์เตอร์ประชาสัมพันธ์ชั้นหนึ่ง"
    ),
}

# One sentence of each language's prose, and short link and menu labels in that language.
LINKS = {
    "de": ["Nachrichten aus der Region", "Sport am Wochenende", "Wetter für morgen", "Kultur und Freizeit"],
    "fr": ["Actualités de la région", "Sport du week-end", "Météo de demain", "Culture et loisirs"],
    "es": ["Noticias de la región", "Deportes del fin de semana", "El tiempo de mañana", "Cultura y ocio"],
    "ru": ["Новости региона", "Спорт в выходные", "Погода на завтра", "Культура и досуг"],
    "ar": ["أخبار المنطقة", "رياضة نهاية الأسبوع", "طقس الغد", "ثقافة وترفيه"],
    "hi": ["क्षेत्र की खबरें", "सप्ताहांत के खेल", "कल का मौसम", "संस्कृति और मनोरंजन"],
    "zh": ["本地新闻", "周末体育", "明天天气", "文化娱乐"],
    "ja": ["地域のニュース", "週末のスポーツ", "明日の天気", "文化と娯楽"],
    "ko": ["지역 소식", "주말 스포츠", "내일 날씨", "문화와 여가"],
    "th": ["ข่าวท้องถิ่น", "กีฬาสุดสัปดาห์", "พยากรณ์อากาศพรุ่งนี้", "วัฒนธรรมและบันเทิง"],
}
MENU = {
    "de": ["Startseite", "Über uns", "Kontakt", "Impressum", "Datenschutz", "Anmelden"],
    "fr": ["Accueil", "À propos", "Contact", "Mentions légales", "Confidentialité", "Connexion"],
    "es": ["Inicio", "Quiénes somos", "Contacto", "Aviso legal", "Privacidad", "Entrar"],
    "ru": ["Главная", "О нас", "Контакты", "Правила", "Конфиденциальность", "Войти"],
    "ar": ["الرئيسية", "من نحن", "اتصل بنا", "الشروط", "الخصوصية", "تسجيل الدخول"],
    "hi": ["मुख्य पृष्ठ", "हमारे बारे में", "संपर्क", "नियम", "गोपनीयता", "लॉग इन"],
    "zh": ["首页", "关于我们", "联系我们", "使用条款", "隐私政策", "登录"],
    "ja": ["ホーム", "会社概要", "お問い合わせ", "利用規約", "プライバシー", "ログイン"],
    "ko": ["홈", "회사 소개", "문의하기", "이용 약관", "개인정보", "로그인"],
    "th": ["หน้าแรก", "เกี่ยวกับเรา", "ติดต่อเรา", "ข้อกำหนด", "ความเป็นส่วนตัว", "เข้าสู่ระบบ"],
}


def first_sentence(language: str) -> str:
    return PROSE[language].split("\n")[0]


def repeated_lines(language: str) -> str:
    """A page that is one paragraph's first line over and over (a broken template, a spam page)."""
    return "\n".join([first_sentence(language)] * 12)


def link_list(language: str) -> str:
    """A page of link titles: every label, numbered, many times over."""
    labels = LINKS[language]
    return "\n".join(f"{labels[i % len(labels)]} {i + 1}" for i in range(40))


def menu(language: str) -> str:
    """A navigation menu extracted as text."""
    return "\n".join(MENU[language])
