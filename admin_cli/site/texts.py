"""The site's wording: Spanish msgids marked for `make locales`, translated from the project's
gettext catalogs through `flows.catalogs` (the wheel's compiled copies, or a clone's .po files),
the same loader the bot and the report use.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from admin_cli.site.source import SiteError
from flows.catalogs import CatalogError, Catalogs
from flows.locales import SUPPORTED_LOCALES

LANGUAGES: Final = SUPPORTED_LOCALES


def N_(text: str) -> str:  # the gettext marker Babel extracts
    return text


def load_catalogs() -> Catalogs:
    try:
        return Catalogs.load()
    except CatalogError as exc:
        raise SiteError(str(exc)) from None


@dataclass(frozen=True)
class Texts:
    """The site's words in one language."""

    lang: str
    _catalogs: Catalogs

    @classmethod
    def load(cls, lang: str, catalogs: Catalogs | None = None) -> Texts:
        return cls(lang, catalogs or load_catalogs())

    def __call__(self, msgid: str) -> str:
        return self._catalogs.gettext(self.lang, msgid)


# Layout
SITE_NAME = N_("Observatorio: base pública de evidencias")
SITE_TAGLINE = N_(
    "Testimonios sobre trabajo forzoso en las misiones de trabajo del Estado cubano y sobre "
    "la crisis de la salud en Cuba, publicados mes a mes."
)
SKIP = N_("Saltar al contenido")
NAV_LABEL = N_("Secciones del sitio")
NAV_HOME = N_("Inicio")
NAV_MONTHS = N_("Meses publicados")
NAV_TRENDS = N_("Tendencias")
NAV_DATA = N_("Datos abiertos")
NAV_METHODOLOGY = N_("Metodología")
NAV_READING = N_("Cómo leer las cifras")
NAV_TESTIMONY = N_("Dar testimonio con seguridad")
NAV_QUOTES = N_("Testimonios citados")
FOOTER = N_(
    "Sitio estático generado desde el registro de publicaciones del observatorio. Sin "
    "cookies, sin analítica, sin recursos de terceros."
)
FOOTER_BUILT = N_("Último mes publicado:")

# Home
HOME_TITLE = N_("Base pública de evidencias")
HOME_ABOUT = N_(
    "El observatorio documenta el trabajo forzoso en los programas de exportación de mano de "
    "obra del Estado cubano (brigadas médicas y otros sectores) y el colapso de la atención "
    "de salud dentro de Cuba. Cada mes publica lo que dicen los testimonios recibidos, con "
    "control de divulgación para que nadie pueda ser identificado."
)
HOME_LATEST = N_("Cifras clave del último mes publicado")
HOME_FIGURE = N_("Cifra")
HOME_VALUE = N_("Valor")
HOME_OF = N_("de")
HOME_TESTIMONIES = N_("Testimonios recibidos en el mes")
HOME_MISSION = N_("Personas de misiones (actuales, pasadas, que abandonaron, familiares)")
HOME_MANY = N_("Personas de misiones que reportaron 9 o más de los 11 indicadores de la OIT")
HOME_RETENTION = N_("Mediana de la parte del pago retenida por el Estado")
HOME_FULL_MONTH = N_("Ver el mes completo")
HOME_DENOMINATOR = N_(
    "Cada porcentaje se calcula sobre las personas que respondieron las preguntas de esa cifra; "
    "el denominador se muestra siempre."
)
HOME_NOT_SAMPLE = N_(
    "Estas cifras describen los testimonios recibidos, no a toda la población: no son una "
    "muestra y no indican prevalencia."
)

# Months
MONTHS_TITLE = N_("Meses publicados")
MONTH_TITLE = N_("Informe del mes")
PROVISIONAL = N_(
    "PROVISIONAL: este mes puede publicarse de nuevo cuando terminen los testimonios en curso."
)
RELEASE = N_("Publicación")
RELEASE_FINAL = N_("definitiva")
RELEASE_PROVISIONAL = N_("provisional")
MIN_CELL = N_(
    "Cifras menores que {k} se muestran como «<{k}»; «x» oculta una cifra para que otra no "
    "pueda calcularse; «no publicado» indica un grupo demasiado pequeño."
)
SECTION_SUMMARY = N_("Testimonios recibidos")
SECTION_ILO = N_("Indicadores de trabajo forzoso de la OIT")
SECTION_ILO_TOTAL = N_("Número de indicadores de la OIT reportados por persona")
SECTION_FRAMEWORKS = N_("Elementos coherentes con trabajo forzoso (CIET 2018) y trata (Palermo)")
SECTION_WAGES = N_("Salarios")
SECTION_HEALTH = N_("Acceso a la salud en Cuba")
SECTION_VERSIONS = N_("Versiones del cuestionario")
SECTION_MONTH_QUOTES = N_("Testimonios citados de este mes")
COL_CATEGORY = N_("Categoría")
COL_COUNT = N_("Número")
COL_PERCENT = N_("Porcentaje")
COL_FIGURE = N_("Indicador")
COL_PRESENT = N_("Lo reportaron")
COL_ANSWERED = N_("Respondieron")
COL_PERCENT_ANSWERED = N_("% de quienes respondieron")
COL_STATISTIC = N_("Estadístico")
COL_MONTH = N_("Mes")
COL_QUESTIONNAIRE = N_("Cuestionario")
COL_VERSION = N_("Versión")
TOTAL = N_("Total")
STAT_N = N_("Personas con el dato")
STAT_MEDIAN = N_("Mediana")
STAT_Q1 = N_("Primer cuartil")
STAT_Q3 = N_("Tercer cuartil")
STAT_NOT_PUBLISHED = N_("no publicado")
RETENTION_TABLE = N_("Parte del pago del país receptor retenida por el Estado (%)")
PAYMENT_TABLE = N_("Pago mensual del país receptor al Estado cubano (USD)")

# Trends
TRENDS_TITLE = N_("Tendencias entre meses")
TRENDS_INTRO = N_(
    "Cada gráfico tiene debajo una tabla con los mismos valores. Un mes que no publicó una "
    "cifra aparece como un hueco, nunca como cero."
)
TREND_ILO = N_("Indicadores de la OIT: % de quienes respondieron, por mes")
TREND_RETENTION = N_("Parte del pago retenida por el Estado: mediana y cuartiles, por mes")
TREND_HEALTH = N_("Problemas de acceso a la salud: % de quienes respondieron, por mes")
TREND_SOURCES = N_("Testimonios por fuente (enlace de la campaña), por mes")
TREND_CHART_DESC = N_("Gráfico de líneas; los mismos valores están en la tabla que sigue.")
CUMULATIVE_TITLE = N_("Cifras acumuladas de todos los meses publicados")
CUMULATIVE_INTRO = N_(
    "Solo se suman las cifras que todos los meses publicaron, de modo que la suma no permite "
    "calcular ninguna cifra oculta de un mes. Una auditoría exacta lo comprueba en cada "
    "publicación del sitio."
)
CUMULATIVE_NONE = N_("Ninguna cifra fue publicada en todos los meses.")
CUM_N_TOTAL = N_("Testimonios")
CUM_N_MISSION = N_("Personas de misiones")
CUM_PRESENT = N_("lo reportaron")
CUM_ANSWERED = N_("respondieron")
NO_VALUE = N_("sin dato")

# Open data
DATA_TITLE = N_("Datos abiertos")
DATA_INTRO = N_(
    "Todas las tablas publicadas, mes a mes, en CSV y JSON, con un diccionario de datos. Una "
    "cifra oculta no tiene número: la columna «display» dice cómo se mostró."
)
DATA_LICENCE = N_(
    "Licencia: Creative Commons Atribución 4.0 Internacional (CC BY 4.0). Cite al observatorio "
    "y el mes."
)
DATA_CHECKSUMS = N_("Sumas de comprobación SHA-256 de todos los archivos del sitio")
DATA_DICTIONARY = N_("Diccionario de datos")
DATA_ALL_MONTHS = N_("Todos los meses")
DATA_TABLE = N_("Tabla")
DATA_FILES = N_("Archivos")
DICT_ID = N_("Identificador")
DICT_LABEL = N_("Nombre")
DICT_DEFINITION = N_("Definición (metodología)")

# Quotes
QUOTES_TITLE = N_("Testimonios citados")
QUOTES_INTRO = N_(
    "Fragmentos de testimonios de personas que permitieron citarlos. El equipo quitó nombres, "
    "lugares, instituciones, fechas y cifras que pudieran identificar a alguien. Cada cita "
    "lleva solo el mes, el tipo de persona y una región."
)
QUOTES_NONE = N_("Todavía no hay testimonios citados.")
QUOTE_ROLE = N_("Persona")
QUOTE_REGION = N_("Región")
QUOTE_MONTH = N_("Mes")
ROLE_MISSION = N_("Trabajador o trabajadora de una misión")
ROLE_FAMILY = N_("Familiar de alguien en una misión")
ROLE_CUBA_HEALTH = N_("Paciente o personal de salud en Cuba")
ROLE_OTHER = N_("Otra persona")
ROLE_UNSAID = N_("Persona que dio su testimonio")
REGION_AMERICAS = N_("América Latina y el Caribe")
REGION_AFRICA = N_("África")
REGION_MIDDLE_EAST = N_("Oriente Medio")
REGION_EUROPE = N_("Europa")
REGION_ASIA = N_("Asia y Oceanía")
REGION_CUBA = N_("Cuba")
REGION_UNKNOWN = N_("Región no indicada")

# Methodology, reading, testimony
METHODOLOGY_TITLE = N_("Metodología")
METHODOLOGY_BODY = (
    N_(
        "Los testimonios llegan por un cuestionario guiado en Telegram, en español. Las respuestas "
        "se cifran al llegar con una clave que solo tiene el equipo; el servidor no puede leerlas."
    ),
    N_(
        "Los 11 indicadores de trabajo forzoso de la OIT (2012) se derivan de preguntas concretas "
        "con reglas publicadas. También se informan elementos coherentes con la definición de "
        "trabajo forzoso de la CIET (2018) y de trata del Protocolo de Palermo."
    ),
    N_(
        "La retención salarial es la parte del pago del país receptor que no llegó al trabajador: "
        "se publica la mediana y los cuartiles, redondeados, solo con al menos 10 personas."
    ),
    N_(
        "Control de divulgación: las cifras de tablas que alguien podría conocer desde fuera "
        "(país, sector, situación) menores que el mínimo se ocultan, y otras se ocultan también "
        "para que no puedan calcularse restando. Un auditor exacto (programación entera) lo "
        "comprueba antes de publicar cada mes."
    ),
    N_(
        "El sitio se genera solo a partir del registro sellado de publicaciones: no puede mostrar "
        "nada que el control de divulgación no haya aprobado."
    ),
)
READING_TITLE = N_("Cómo leer estas cifras")
READING_BODY = (
    N_(
        "No es una muestra: responden las personas que conocen el enlace y deciden hacerlo. Las "
        "cifras describen los testimonios recibidos, no la proporción de trabajadores afectados, "
        "y no deben presentarse como prevalencia."
    ),
    N_(
        "Los indicadores de la OIT son indicios, no una prueba ni una puntuación: muestran qué "
        "situaciones relatan las personas."
    ),
    N_(
        "Cada porcentaje tiene su denominador: las personas a quienes se aplicaba la pregunta y "
        "que la respondieron. «Prefiero no responder» no cuenta en el denominador."
    ),
    N_(
        "«<5» es una cifra entre 1 y 4; «x» es una cifra ocultada para proteger otra; «no "
        "publicado» indica que el grupo era demasiado pequeño para publicar esa tabla."
    ),
    N_(
        "Un mes provisional puede cambiar en su publicación definitiva; las tablas de datos "
        "abiertos muestran siempre la última publicación de cada mes."
    ),
)
TESTIMONY_TITLE = N_("Cómo dar testimonio con seguridad")
TESTIMONY_BODY = (
    N_(
        "El testimonio se da en Telegram, con el enlace que comparten el observatorio y las redes "
        "de la diáspora. Puede saltar cualquier pregunta con «Prefiero no responder»."
    ),
    N_(
        "Qué se guarda: sus respuestas, cifradas al llegar. No se guarda su número de teléfono, "
        "su nombre, su usuario ni su identificador de Telegram."
    ),
    N_(
        "Qué ve Telegram: que usted habló con el bot, y los mensajes mientras están en el chat. "
        "Con el modo discreto el bot borra sus mensajes escritos y al final le dice cómo borrar "
        "el chat."
    ),
    N_(
        "Al terminar recibe un recibo de 16 cifras. Con /borrar y ese recibo puede retirar su "
        "testimonio cuando quiera; si fue citado, la cita se quita del sitio."
    ),
    N_(
        "Use un teléfono que nadie revise y, si puede, una conexión que no sea la de su trabajo "
        "o su misión. No escriba nombres ni datos que identifiquen a nadie."
    ),
)
TESTIMONY_LINK = N_("Enlace para dar testimonio:")
